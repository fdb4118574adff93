using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Tests.Rules;
using TestRollout = Rollouter.Import.Tests.Rules.TestRollout;

namespace Rollouter.Import.Tests.Processing;

/// <summary>
/// A custom field's settings changed between the run's reading of the inventory (for its check) and the writer's taking
/// of the rollout's write lock: what an option rename does that held the lock while the import was approved and started.
/// The writer reads the fields again under the lock; the rows are checked again against the field as it is now, so the
/// import never writes a value that is no longer an option. The change is made, deterministically, right after the run
/// read the inventory's fields and options.
/// </summary>
[Collection(RulesDatabaseCollection.Name)]
public class ImportSettingsRaceTests(RulesDatabases databases)
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.PostgreSql];

    private static readonly string Cache = Path.Combine(Path.GetTempPath(), "rollouter-settings-race-tests");

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task AnOptionRenamedAfterTheRunReadTheField_IsCheckedAgain_AndTheOldNameIsNeverWritten(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        var field = await AddFieldAsync(rollout, "Red", "Blue", "Green");
        var importId = await PrepareAsync(rollout, $"Name;{field.Name}\nRACE-1;Red\nRACE-2;Blue\n");

        var import = await RunAsync(rollout, importId, db => db.CustomFieldOptions
            .Where(o => o.CustomFieldId == field.Id && o.Name == "Red").ExecuteUpdateAsync(s => s.SetProperty(o => o.Name, "Crimson")));

        Assert.Equal(ImportStatus.Failed, import.Status);
        await using var check = rollout.Database.Database.CreateContext();
        Assert.Empty(await check.Clients.Where(c => c.RolloutId == rollout.Id).Select(c => c.Name).ToListAsync());
        var error = Assert.Single(await check.ImportRowErrors.Where(e => e.ImportId == importId).ToListAsync());
        Assert.Equal((2, "Red"), (error.Row, error.Value));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task AFieldTakenOffTheInventoryAfterTheRunReadIt_IsNeverWritten(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        var field = await AddFieldAsync(rollout, "Red", "Blue");
        var importId = await PrepareAsync(rollout, $"Name;{field.Name}\nRACE-3;Red\n");

        var import = await RunAsync(rollout, importId, db => db.InventoryCustomFields
            .Where(f => f.InventoryId == rollout.Laptops && f.CustomFieldId == field.Id).ExecuteDeleteAsync());

        Assert.Equal(ImportStatus.Failed, import.Status);
        Assert.Contains(field.Name, import.FailureMessage);
        await using var check = rollout.Database.Database.CreateContext();
        Assert.Empty(await check.Clients.Where(c => c.RolloutId == rollout.Id).Select(c => c.Name).ToListAsync());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task AChangeTheFileDoesNotMeet_IsCheckedAgain_AndTheImportCompletes(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        var field = await AddFieldAsync(rollout, "Red", "Blue", "Green");
        var importId = await PrepareAsync(rollout, $"Name;{field.Name}\nRACE-4;Red\n");

        var import = await RunAsync(rollout, importId, db => db.CustomFieldOptions
            .Where(o => o.CustomFieldId == field.Id && o.Name == "Green").ExecuteUpdateAsync(s => s.SetProperty(o => o.Name, "Lime")));

        Assert.True(import.Status == ImportStatus.Completed, import.FailureMessage);
        await using var check = rollout.Database.Database.CreateContext();
        var client = await check.Clients.SingleAsync(c => c.RolloutId == rollout.Id);
        Assert.Equal(["Red"], client.Values[field.Id]);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task AFieldThatChangesBeforeEveryWrite_FailsTheImport_NamingIt_AndNothingIsWritten(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        var field = await AddFieldAsync(rollout, "Red", "Green");
        var importId = await PrepareAsync(rollout, $"Name;{field.Name}\nRACE-5;Red\n");
        var renames = 0;

        var import = await RunAsync(rollout, importId, db =>
        {
            var name = $"Green {++renames}";
            return db.CustomFieldOptions.Where(o => o.CustomFieldId == field.Id && o.Name.StartsWith("Green"))
                .ExecuteUpdateAsync(s => s.SetProperty(o => o.Name, name));
        }, everyRead: true);

        Assert.Equal(ImportStatus.Failed, import.Status);
        Assert.Equal($"The settings of the field \"{field.Name}\" changed while this import was being checked; nothing " +
                     "was written. Check it again, then approve it.", import.FailureMessage);
        await using var check = rollout.Database.Database.CreateContext();
        Assert.Empty(await check.Clients.Where(c => c.RolloutId == rollout.Id).Select(c => c.Name).ToListAsync());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task AStatusGoneAfterTheRunReadTheWorkflow_IsCheckedAgain_AndNeverWritten(DatabaseProvider provider)
    {
        var rollout = await (await databases.GetAsync(provider)).NewRolloutAsync();
        var importId = await PrepareAsync(rollout, "Name;Status\nRACE-6;Prepared\n");

        // The inventory switched to a workflow without "Prepared" (the shared workflow's statuses stay as they are):
        // every status the check read is gone, as a removed status is.
        var import = await RunAsync(rollout, importId, async db =>
        {
            var workflow = new Workflow { Name = $"Race {Guid.NewGuid():N}", Statuses = [new WorkflowStatus { Name = "Only", Position = 0 }] };
            db.Workflows.Add(workflow);
            await db.SaveChangesAsync();
            await db.Inventories.Where(i => i.Id == rollout.Laptops).ExecuteUpdateAsync(s => s.SetProperty(i => i.WorkflowId, workflow.Id));
        });

        Assert.Equal(ImportStatus.Failed, import.Status);
        await using var check = rollout.Database.Database.CreateContext();
        Assert.Empty(await check.Clients.Where(c => c.RolloutId == rollout.Id).Select(c => c.Name).ToListAsync());
        var error = Assert.Single(await check.ImportRowErrors.Where(e => e.ImportId == importId).ToListAsync());
        Assert.Equal((2, "Prepared"), (error.Row, error.Value));
    }

    /// <summary>A new selection field (unique name) on the rollout's Laptops only: the global fields are shared.</summary>
    private static async Task<CustomField> AddFieldAsync(TestRollout rollout, params string[] options)
    {
        await using var db = rollout.Database.Database.CreateContext();
        var field = new CustomField
        {
            Name = $"Colour {Guid.NewGuid().ToString("N")[..8]}", Type = CustomFieldType.Selection,
            Options = [.. options.Select((o, i) => new CustomFieldOption { Name = o, Position = i })],
        };
        db.CustomFields.Add(field);
        await db.SaveChangesAsync();
        db.InventoryCustomFields.Add(new InventoryCustomField { InventoryId = rollout.Laptops, CustomFieldId = field.Id, Position = 100 });
        await db.SaveChangesAsync();
        return field;
    }

    /// <summary>Uploads <paramref name="csv"/> into Laptops, mapped automatically, and approves it (the test runs it).</summary>
    private static async Task<int> PrepareAsync(TestRollout rollout, string csv)
    {
        var manager = rollout.Database.Users["manager"];
        await using var db = rollout.Database.Database.CreateContext();
        var imports = TestImports.Lifecycle(db, Cache);
        var created = await imports.CreateAsync(Path.Combine(Cache, "uploads"), rollout.Id, rollout.Laptops, "race.csv",
            Encoding.UTF8.GetBytes(csv), manager);
        (await imports.ApproveAsync(created.Import.Id, manager, default)).Expect();
        return created.Import.Id;
    }

    /// <summary>
    /// Runs the import; <paramref name="change"/> is committed (on its own connection) once the run has read the fields,
    /// or each time it read them.
    /// </summary>
    private static async Task<ClientImport> RunAsync(TestRollout rollout, int importId, Func<RolloutDbContext, Task> change,
        bool everyRead = false)
    {
        var database = rollout.Database.Database;
        var hook = new AfterFieldsRead(everyRead, async () =>
        {
            await using var other = database.CreateContext();
            await change(other);
        });
        await using var db = new RolloutDbContext(new DbContextOptionsBuilder<RolloutDbContext>(database.Options)
            .AddInterceptors(hook).Options);
        var import = await TestImports.Lifecycle(db, Cache).RunAsync(importId, null, default);
        Assert.True(hook.Changed, "the change was never made");
        return import;
    }

    /// <summary>
    /// Makes the change before the first statement after the one that read the inventory's fields with their options
    /// (that reader is closed by then): once, or after every such read.
    /// </summary>
    private sealed class AfterFieldsRead(bool everyRead, Func<Task> change) : DbCommandInterceptor
    {
        private bool _read;

        public bool Changed { get; private set; }

        public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData,
            DbDataReader result, CancellationToken cancellationToken = default)
        {
            _read |= command.CommandText.Contains("\"CustomFieldOptions\"", StringComparison.Ordinal);
            return ValueTask.FromResult(result);
        }

        public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command,
            CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            await ChangeOnceAsync();
            return result;
        }

        public override async ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command,
            CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
        {
            await ChangeOnceAsync();
            return result;
        }

        public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command,
            CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            await ChangeOnceAsync();
            return result;
        }

        private async Task ChangeOnceAsync()
        {
            if (_read && (everyRead || !Changed))
            {
                Changed = true;
                _read = false;
                await change();
            }
        }
    }
}
