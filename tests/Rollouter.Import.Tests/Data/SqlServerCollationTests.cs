using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.SqlServer.TransactSql.ScriptDom;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Writing;

namespace Rollouter.Import.Tests.Data;

/// <summary>
/// SQL Server's unique indexes agree with the application's comparisons (decision 0043), checked without a server: the
/// model's collations, the migration that sets them, and the option insert's name comparison.
/// </summary>
public sealed class SqlServerCollationTests
{
    private static RolloutDbContext ModelOnlyContext(DatabaseProvider provider = DatabaseProvider.SqlServer)
    {
        var options = new DbContextOptionsBuilder<RolloutDbContext>();
        options.UseRollouterDatabase(provider, provider switch
        {
            DatabaseProvider.Sqlite => "Data Source=:memory:",
            DatabaseProvider.PostgreSql => "Host=127.0.0.1;Database=rollouter_model;Username=postgres",
            _ => "Server=127.0.0.1;Database=Rollouter;TrustServerCertificate=True;User Id=sa;Password=unused",
        });
        return new RolloutDbContext(options.Options);
    }

    /// <summary>The unique text columns the application compares ordinally itself, not in the database.</summary>
    public static TheoryData<string, string> OrdinalColumns() => new()
    {
        { nameof(Client), nameof(Client.NameKey) },
        { nameof(CustomFieldOption), nameof(CustomFieldOption.Name) },
        { nameof(WorkflowStatus), nameof(WorkflowStatus.Name) },
        { nameof(ImportValueReplacement), nameof(ImportValueReplacement.From) },
    };

    private static IProperty Property(RolloutDbContext context, string entity, string property) =>
        context.GetService<IDesignTimeModel>().Model.GetEntityTypes().Single(t => t.ClrType.Name == entity).FindProperty(property)
        ?? throw new InvalidOperationException($"{entity} has no property {property}");

    [Theory]
    [MemberData(nameof(OrdinalColumns))]
    public void OrdinalColumn_ComparesByCodePoint_OnSqlServer(string entity, string property)
    {
        using var context = ModelOnlyContext();

        Assert.Equal("Latin1_General_100_BIN2", Property(context, entity, property).GetCollation());
    }

    [Fact]
    public void CreateScript_GivesTheClientsNameKeyTheBinaryCollation_SoItsUniqueIndexComparesByCodePoint()
    {
        using var context = ModelOnlyContext();

        var script = context.Database.GenerateCreateScript();

        Assert.Contains("[NameKey] nvarchar(400) COLLATE Latin1_General_100_BIN2 NOT NULL", script, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public void OtherDatabases_KeepTheirCollations(DatabaseProvider provider)
    {
        using var context = ModelOnlyContext(provider);

        Assert.Equal(provider == DatabaseProvider.PostgreSql ? "C" : null, Property(context, nameof(Client), nameof(Client.NameKey)).GetCollation());
        Assert.Null(Property(context, nameof(CustomFieldOption), nameof(CustomFieldOption.Name)).GetCollation());
        Assert.Null(Property(context, nameof(WorkflowStatus), nameof(WorkflowStatus.Name)).GetCollation());
        Assert.Null(Property(context, nameof(ImportValueReplacement), nameof(ImportValueReplacement.From)).GetCollation());
    }

    [Fact]
    public void Migration_ChangesTheCollations_RebuildingTheIndexesOnTheColumns()
    {
        using var context = ModelOnlyContext();
        var migrations = context.Database.GetMigrations().ToList();
        var migration = migrations.Single(m => m.EndsWith("_SqlServerOrdinalCollations", StringComparison.Ordinal));

        var script = context.GetService<IMigrator>().GenerateScript(migrations[migrations.IndexOf(migration) - 1], migration);

        Assert.Empty(Parse(script));
        Assert.Contains("ALTER TABLE [Clients] ALTER COLUMN [NameKey] nvarchar(400) COLLATE Latin1_General_100_BIN2 NOT NULL",
            script, StringComparison.Ordinal);
        // SQL Server refuses to change the collation of a column an index holds: the index goes and comes back.
        var drop = script.IndexOf("DROP INDEX [IX_Clients_RolloutId_NameKey] ON [Clients]", StringComparison.Ordinal);
        var alter = script.IndexOf("ALTER COLUMN [NameKey]", StringComparison.Ordinal);
        var create = script.IndexOf("CREATE UNIQUE INDEX [IX_Clients_RolloutId_NameKey] ON [Clients] ([RolloutId], [NameKey])",
            StringComparison.Ordinal);
        Assert.True(drop >= 0 && drop < alter && alter < create, script);
    }

    [Fact]
    public void OptionInsert_ComparesTheNameByCodePoint()
    {
        // Under the default collation "Dell" would stand for a new option "ＤＥＬＬ": no option inserted, the client keeps
        // a value that is not an option of the field.
        var fragment = new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(SqlServerClientStore.CreateOptionSql), out var errors);
        Assert.Empty(errors);
        var comparisons = new NameComparisons();
        fragment.Accept(comparisons);

        var comparison = Assert.Single(comparisons.Found);
        Assert.Equal("Latin1_General_100_BIN2", comparison);
    }

    private static IList<ParseError> Parse(string sql)
    {
        new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(sql), out var errors);
        return errors;
    }

    /// <summary>The collation each comparison of the column <c>[Name]</c> is made under (null: the column's own).</summary>
    private sealed class NameComparisons : TSqlFragmentVisitor
    {
        public List<string?> Found { get; } = [];

        public override void Visit(BooleanComparisonExpression node)
        {
            if (IsName(node.FirstExpression) || IsName(node.SecondExpression))
            {
                Found.Add(Collation(node.FirstExpression) ?? Collation(node.SecondExpression));
            }
        }

        private static bool IsName(ScalarExpression expression) =>
            expression is ColumnReferenceExpression { MultiPartIdentifier.Identifiers: [.., { Value: "Name" }] };

        private static string? Collation(ScalarExpression expression) => (expression as PrimaryExpression)?.Collation?.Value;
    }
}
