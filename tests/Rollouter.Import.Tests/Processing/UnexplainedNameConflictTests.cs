using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Tests.Rules;

namespace Rollouter.Import.Tests.Processing;

/// <summary>
/// The database refuses a name as taken, but once the write is rolled back no client of the rollout has a name of the
/// file: SQL Server did so with a name key in its default collation, which ignores width ("ＰＣ01" is "PC01" to it, not to
/// the application). The import must not blame "another import or user" naming no row. Injected on SQLite: the name
/// index compares under a collation that ignores width (NFKC) while the application's key and its lookup do not.
/// </summary>
public sealed class UnexplainedNameConflictTests
{
    private static readonly string Cache = Path.Combine(Path.GetTempPath(), "rollouter-unexplained-conflict-tests");

    [Fact]
    public async Task ANameRefusedThatNoClientHas_FailsTheImportSayingSo_NotBlamingAnotherImport()
    {
        await using var database = await RulesDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var rollout = await database.NewRolloutAsync();
        var manager = database.Users["manager"];
        int importId;
        await using (var db = database.Database.CreateContext())
        {
            var imports = TestImports.Lifecycle(db, Cache);
            var created = await imports.CreateAsync(Path.Combine(Cache, "uploads"), rollout.Id, rollout.Laptops, "width.csv",
                Encoding.UTF8.GetBytes("Name\nPC01\nＰＣ01\n"), manager);
            importId = created.Import.Id;
            (await imports.ApproveAsync(importId, manager, default)).Expect();
        }

        var widthBlind = new WidthBlindCollation();
        await using (var db = Context(database, widthBlind))
        {
            await db.Database.ExecuteSqlRawAsync("""
                DROP INDEX "IX_Clients_RolloutId_NameKey";
                CREATE UNIQUE INDEX "IX_Clients_RolloutId_NameKey" ON "Clients" ("RolloutId", "NameKey" COLLATE WIDTHBLIND);
                """);
        }

        ClientImport import;
        await using (var db = Context(database, widthBlind))
        {
            import = await TestImports.Lifecycle(db, Cache).RunAsync(importId, null, default);
        }

        Assert.True(widthBlind.Compared, "the name index never compared two names: the conflict was not injected");
        Assert.Equal(ImportStatus.Failed, import.Status);
        // Says what happened and what to do, and blames no other import.
        Assert.Contains("no client in this rollout has that name now", import.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Approve the import again", import.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("Another import", import.FailureMessage, StringComparison.Ordinal);
        Assert.Equal(0, import.FailedRowCount);
        await using var check = database.Database.CreateContext();
        Assert.Equal(0, await check.Clients.CountAsync(c => c.RolloutId == rollout.Id));
        Assert.Equal(0, await check.ImportRowErrors.CountAsync(e => e.ImportId == importId));
    }

    private static RolloutDbContext Context(RulesDatabase database, WidthBlindCollation collation) =>
        new(new DbContextOptionsBuilder<RolloutDbContext>(database.Database.Options).AddInterceptors(collation).Options);

    /// <summary>Registers WIDTHBLIND on every connection the context opens: names equal once NFKC-normalised.</summary>
    private sealed class WidthBlindCollation : DbConnectionInterceptor
    {
        public bool Compared { get; private set; }

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Register(connection);

        public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData,
            CancellationToken cancellationToken = default)
        {
            Register(connection);
            return Task.CompletedTask;
        }

        private void Register(DbConnection connection) =>
            ((SqliteConnection)connection).CreateCollation("WIDTHBLIND", (x, y) =>
            {
                Compared = true;
                return string.CompareOrdinal(x.Normalize(NormalizationForm.FormKC), y.Normalize(NormalizationForm.FormKC));
            });
    }
}
