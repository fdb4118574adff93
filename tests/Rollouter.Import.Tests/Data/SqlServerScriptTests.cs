using System.Data;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.SqlServer.TransactSql.ScriptDom;
using Rollouter.Import.Data;
using Rollouter.Import.Data.ClientLists;
using Rollouter.Import.Importing.Writing;

namespace Rollouter.Import.Tests.Data;

/// <summary>
/// SQL Server, checked without a server (none runs on these machines): what the app sends to SQL Server parses with SQL
/// Server's own parser (ScriptDom, T-SQL of SQL Server 2022), and every table and column the client store names exists
/// in the SQL Server model.
/// </summary>
public sealed class SqlServerScriptTests
{
    /// <summary>The store's temporary tables, and the table whose rows they stage.</summary>
    private static readonly Dictionary<string, string> StagingTables = new(StringComparer.Ordinal)
    {
        ["#client_updates"] = "Clients",
    };

    /// <summary>SQL Server's own views the app reads (sys.…), with the columns it reads.</summary>
    private static readonly Dictionary<string, HashSet<string>> SystemViews = new(StringComparer.Ordinal)
    {
        ["databases"] = new(StringComparer.Ordinal) { "database_id", "name", "is_read_committed_snapshot_on" },
    };

    private static RolloutDbContext ModelOnlyContext()
    {
        var options = new DbContextOptionsBuilder<RolloutDbContext>();
        // Never opened: the model, the migrations and their script need no server.
        options.UseRollouterDatabase(DatabaseProvider.SqlServer,
            "Server=127.0.0.1;Database=Rollouter;TrustServerCertificate=True;User Id=sa;Password=unused");
        return new RolloutDbContext(options.Options);
    }

    /// <summary>
    /// Every statement the app sends to SQL Server itself: the string constants ending in "Sql" of every class whose name
    /// starts with "SqlServer" (the client store; a class added for SQL Server follows the same convention), by
    /// "Class.Constant".
    /// </summary>
    public static TheoryData<string> SqlServerStatements()
    {
        var data = new TheoryData<string>();
        foreach (var name in SqlServerSql().Keys)
        {
            data.Add(name);
        }

        return data;
    }

    private static Dictionary<string, string> SqlServerSql() =>
        new[] { typeof(SqlServerClientStore).Assembly, typeof(Rollouter.Import.Web.Infrastructure.DatabaseInitializer).Assembly }
            .SelectMany(a => a.GetTypes())
            .Where(t => t.Name.StartsWith("SqlServer", StringComparison.Ordinal))
            .SelectMany(t => t.GetFields(BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Static))
            .Where(f => f is { IsLiteral: true } && f.FieldType == typeof(string) && f.Name.EndsWith("Sql", StringComparison.Ordinal))
            .ToDictionary(f => $"{f.DeclaringType!.Name}.{f.Name}", f => (string)f.GetRawConstantValue()!);

    [Fact]
    public void StatementsChecked_IncludeEveryStatementOfTheClientStore()
    {
        // Guards the reflection above: a statement moved out of the constants would escape the checks.
        Assert.Subset(SqlServerSql().Keys.ToHashSet(),
            new[] { "CreateOptionSql", "CreateUpdateStagingSql", "FindTakenKeysSql", "LoadForUpdateSql", "LockInventorySql",
                "LockRolloutSql", "UpdateFromStagingSql" }.Select(n => "SqlServerClientStore." + n).Append("SqlServerRowVersioning.IsOnSql").ToHashSet());
    }

    [Theory]
    [MemberData(nameof(SqlServerStatements))]
    public void Statement_Parses_AndNamesOnlyTablesAndColumnsOfTheModel(string name)
    {
        var sql = SqlServerSql()[name];
        var fragment = Parse(sql, name);
        using var context = ModelOnlyContext();
        var tables = ModelTables(context);
        foreach (var create in StagingDefinitions())
        {
            tables[create.Name] = create.Columns;
        }

        foreach (var (view, columns) in SystemViews)
        {
            tables[view] = columns;
        }

        var names = new NameCheck(tables);
        fragment.Accept(names);

        Assert.True(names.Problems.Count == 0, $"{name} names what the SQL Server model lacks:\n" + string.Join("\n", names.Problems)
            + "\n" + sql);
        Assert.True(names.Objects > 0, $"{name} names no table or procedure: the check saw nothing");
    }

    [Theory]
    [InlineData(ClientSortColumn.Name)]
    [InlineData(ClientSortColumn.Status)]
    [InlineData(ClientSortColumn.Assignee)]
    [InlineData(ClientSortColumn.ClientUser)]
    [InlineData(ClientSortColumn.Description)]
    [InlineData(ClientSortColumn.CustomField)]
    public void TheStatementCollectingASearchsClients_ParsesForEverySort(ClientSortColumn column)
    {
        var sql = ClientPages.FoundSql(ClientListSql.For(DatabaseProvider.SqlServer), 3, new ClientSort(column, 12), "pc 7",
            5_001, anchored: false);

        Parse(sql, "the statement collecting a search's clients");
        Assert.Contains("SELECT TOP (5001)", sql, StringComparison.Ordinal);
    }

    [Fact]
    public void StagingTables_HoldOnlyColumnsOfTheTablesTheyStage()
    {
        using var context = ModelOnlyContext();
        var tables = ModelTables(context);

        var created = StagingDefinitions();

        Assert.Equal(StagingTables.Keys.Order(), created.Select(c => c.Name).Order());
        foreach (var (temporary, columns) in created)
        {
            var target = StagingTables[temporary];
            Assert.Empty(columns.Except(tables[target]));
        }
    }

    public static TheoryData<string> BulkCopyTables() => ["ClientsTable", "UpdatesTable", "HistoryTable"];

    /// <summary>SqlBulkCopy maps columns by name: a name the destination lacks fails only on a real server.</summary>
    [Theory]
    [MemberData(nameof(BulkCopyTables))]
    public void BulkCopyTable_NamesATableAndColumnsOfTheModel(string method)
    {
        using var table = (DataTable)typeof(SqlServerClientStore).GetMethod(method, BindingFlags.NonPublic | BindingFlags.Static)!
            .Invoke(null, null)!;
        using var context = ModelOnlyContext();
        var tables = ModelTables(context);
        var destination = table.TableName.Trim('[', ']');
        var columns = table.Columns.Cast<DataColumn>().Select(c => c.ColumnName).ToList();

        var target = StagingTables.GetValueOrDefault(destination, destination);
        Assert.True(tables.ContainsKey(target), $"{method}: no table {target} in the SQL Server model");
        Assert.Empty(columns.Except(tables[target]));
        Assert.Equal(columns.Count, columns.Distinct().Count());
    }

    [Fact]
    public void NameIndex_TheStoreRecognisesConflictsBy_IsAnIndexOfTheModel()
    {
        using var context = ModelOnlyContext();

        var indexes = context.Model.GetRelationalModel().Tables.SelectMany(t => t.Indexes).Select(i => i.Name);

        Assert.Contains(SqlServerClientStore.NameIndex, indexes);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MigrationScript_Parses(bool idempotent)
    {
        using var context = ModelOnlyContext();
        var script = context.GetService<IMigrator>().GenerateScript(
            options: idempotent ? MigrationsSqlGenerationOptions.Idempotent : MigrationsSqlGenerationOptions.Default);

        var fragment = Parse(script, "the migration script");

        Assert.Contains("CREATE TABLE [Clients]", script, StringComparison.Ordinal);
        // The idempotent script wraps statements in EXEC(N'...'): what runs is the string, so it must parse too.
        var executed = new ExecutedStrings();
        fragment.Accept(executed);
        foreach (var sql in executed.Strings)
        {
            Parse(sql, "a string the migration script executes");
        }

        Assert.True(!idempotent || executed.Strings.Count > 0, "the idempotent script executes no string: the check saw nothing");
    }

    private static TSqlFragment Parse(string sql, string what)
    {
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        using var reader = new StringReader(sql);
        var fragment = parser.Parse(reader, out var errors);
        Assert.True(errors.Count == 0, $"{what} does not parse as T-SQL:\n" +
            string.Join("\n", errors.Select(e => $"line {e.Line}, column {e.Column}: {e.Message}")) + "\n" + sql);
        return fragment;
    }

    private static Dictionary<string, HashSet<string>> ModelTables(RolloutDbContext context) =>
        context.Model.GetRelationalModel().Tables.ToDictionary(
            t => t.Name, t => t.Columns.Select(c => c.Name).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);

    /// <summary>The temporary tables the store's statements create, with their columns.</summary>
    private static List<(string Name, HashSet<string> Columns)> StagingDefinitions()
    {
        var creates = new CreatedTableCollector();
        foreach (var sql in SqlServerSql().Values)
        {
            // A statement that does not parse fails its own case of the theory above.
            using var reader = new StringReader(sql);
            new TSql160Parser(initialQuotedIdentifiers: true).Parse(reader, out _)?.Accept(creates);
        }

        return creates.Tables;
    }

    private sealed class CreatedTableCollector : TSqlFragmentVisitor
    {
        public List<(string Name, HashSet<string> Columns)> Tables { get; } = [];

        public override void Visit(CreateTableStatement node) => Tables.Add((node.SchemaObjectName.BaseIdentifier.Value,
            node.Definition.ColumnDefinitions.Select(c => c.ColumnIdentifier.Value).ToHashSet(StringComparer.Ordinal)));
    }

    private sealed class ExecutedStrings : TSqlFragmentVisitor
    {
        public List<string> Strings { get; } = [];

        // A variable in the string (EF's ALTER COLUMN drops a default constraint by the name it looked up: EXEC(N'...
        // DROP CONSTRAINT ' + @var + ';')) stands for a quoted name.
        public override void Visit(ExecutableStringList node) =>
            Strings.Add(string.Concat(node.Strings.Select(s => s is StringLiteral literal ? literal.Value : "[looked_up_name]")));
    }

    /// <summary>
    /// Resolves every table and column reference: a table must be one of the model's (or a temporary table the store
    /// creates); a column named with an alias must be a column of that alias's table, an unqualified one a column of a
    /// table in scope (the query's own FROM first, then the enclosing queries', as SQL Server resolves them).
    /// </summary>
    private sealed class NameCheck(Dictionary<string, HashSet<string>> tables) : TSqlFragmentVisitor
    {
        /// <summary>The columns OPENJSON without a WITH clause returns.</summary>
        private static readonly HashSet<string> OpenJsonColumns = new(StringComparer.Ordinal) { "key", "value", "type" };

        private readonly Stack<Dictionary<string, HashSet<string>>> _scopes = new();

        public List<string> Problems { get; } = [];

        /// <summary>How many tables and procedures the statement names.</summary>
        public int Objects { get; private set; }

        public override void ExplicitVisit(QuerySpecification node)
        {
            _scopes.Push(Sources(node.FromClause?.TableReferences ?? []));
            base.ExplicitVisit(node);
            _scopes.Pop();
        }

        public override void ExplicitVisit(UpdateSpecification node)
        {
            _scopes.Push(Sources([.. node.FromClause?.TableReferences ?? [], node.Target]));
            base.ExplicitVisit(node);
            _scopes.Pop();
        }

        public override void ExplicitVisit(InsertSpecification node)
        {
            _scopes.Push(Sources([node.Target]));
            base.ExplicitVisit(node);
            _scopes.Pop();
        }

        public override void Visit(NamedTableReference node)
        {
            var name = node.SchemaObject.BaseIdentifier.Value;
            // An UPDATE's target may be the alias its FROM gives a table.
            if (!tables.ContainsKey(name) && !_scopes.Any(s => s.ContainsKey(name)))
            {
                Problems.Add($"table {name}");
            }

            Objects++;
        }

        public override void Visit(CreateTableStatement node) => Objects++;

        public override void Visit(ExecutableProcedureReference node) => Objects++;

        public override void Visit(TruncateTableStatement node)
        {
            Objects++;
            if (!tables.ContainsKey(node.TableName.BaseIdentifier.Value))
            {
                Problems.Add($"table {node.TableName.BaseIdentifier.Value}");
            }
        }

        public override void Visit(ColumnReferenceExpression node)
        {
            if (node.ColumnType != ColumnType.Regular || node.MultiPartIdentifier is null)
            {
                return;
            }

            var parts = node.MultiPartIdentifier.Identifiers.Select(i => i.Value).ToList();
            var column = parts[^1];
            var found = parts.Count switch
            {
                1 => _scopes.Any(scope => scope.Values.Any(columns => columns.Contains(column))),
                2 => _scopes.FirstOrDefault(scope => scope.ContainsKey(parts[0])) is { } scope && scope[parts[0]].Contains(column),
                _ => false,
            };
            if (!found)
            {
                Problems.Add($"column {string.Join(".", parts)}");
            }
        }

        /// <summary>The tables a FROM clause brings into scope, by alias and by name.</summary>
        private Dictionary<string, HashSet<string>> Sources(IEnumerable<TableReference> references)
        {
            var scope = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            foreach (var reference in references)
            {
                Add(scope, reference);
            }

            return scope;
        }

        private void Add(Dictionary<string, HashSet<string>> scope, TableReference reference)
        {
            switch (reference)
            {
                case JoinTableReference join:
                    Add(scope, join.FirstTableReference);
                    Add(scope, join.SecondTableReference);
                    break;
                case NamedTableReference named:
                    var name = named.SchemaObject.BaseIdentifier.Value;
                    if (tables.TryGetValue(name, out var columns))
                    {
                        scope[named.Alias?.Value ?? name] = columns;
                    }

                    break;
                case OpenJsonTableReference json:
                    scope[json.Alias?.Value ?? "OPENJSON"] = OpenJsonColumns;
                    break;
            }
        }
    }
}
