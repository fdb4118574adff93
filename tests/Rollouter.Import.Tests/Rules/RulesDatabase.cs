using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Importing.Reading;
using Rollouter.Import.Importing.Rules;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Rules;

[CollectionDefinition(Name)]
public sealed class RulesDatabaseCollection : ICollectionFixture<RulesDatabases>
{
    public const string Name = "Rules database";
}

/// <summary>
/// One migrated database per provider for all rule tests, with the global settings (workflow, custom fields, users,
/// link types) seeded once; each test makes its own rollout, so tests do not see each other's clients.
/// </summary>
public sealed class RulesDatabases : IAsyncLifetime
{
    private readonly Dictionary<DatabaseProvider, Task<RulesDatabase>> _databases = [];
    private readonly Lock _lock = new();

    public Task<RulesDatabase> GetAsync(DatabaseProvider provider = DatabaseProvider.Sqlite)
    {
        lock (_lock)
        {
            if (!_databases.TryGetValue(provider, out var database))
            {
                _databases[provider] = database = RulesDatabase.CreateAsync(provider);
            }

            return database;
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var database in _databases.Values)
        {
            await (await database).DisposeAsync();
        }
    }
}

public sealed class RulesDatabase : IAsyncDisposable
{
    public const string Workflow = "Standard";

    private int _rollouts;

    private RulesDatabase(TestDatabase database) => Database = database;

    public TestDatabase Database { get; }

    public Dictionary<string, int> Fields { get; } = [];

    public Dictionary<string, int> Statuses { get; } = [];

    /// <summary>Users by their email's local part ("tech", "jane1").</summary>
    public Dictionary<string, int> Users { get; } = [];

    /// <summary>The seeded users (by <see cref="Users"/>' key) that no rollout has as a member.</summary>
    public static readonly string[] NonMembers = ["outsider", "admin"];

    public int AdvancedLinkType { get; private set; }

    public int PlainLinkType { get; private set; }

    public static async Task<RulesDatabase> CreateAsync(DatabaseProvider provider)
    {
        var database = new RulesDatabase(await TestDatabase.CreateAsync(provider));
        await database.SeedAsync();
        return database;
    }

    private async Task SeedAsync()
    {
        await using var db = Database.CreateContext();
        var workflow = TestSettings.Workflow(Workflow, BenchData.Statuses);
        db.Workflows.Add(workflow);
        CustomField[] fields =
        [
            .. BenchData.Fields(),
            TestSettings.Field("Tags", CustomFieldType.MultiSelectionFree),
            TestSettings.Field("Rack", CustomFieldType.Input, required: true),
            TestSettings.Field("Slow", CustomFieldType.Input, pattern: "^(a+)+$"),
            // Needs backtracking: stored before such patterns were refused when a field is saved.
            TestSettings.Field("Pair", CustomFieldType.Input, pattern: @"^(\w)\1$"),
        ];
        db.CustomFields.AddRange(fields);
        User NewUser(string local, string displayName, string code, Role role, bool active = true) =>
            TestSettings.User(local + "@test.example", displayName, code, role, active);
        var users = new[]
        {
            NewUser("tech", "Tom Tech", "U-0001", Role.Technician),
            NewUser("manager", "Mia Manager", "U-0002", Role.RolloutManager),
            NewUser("jane1", "Jane Doe", "U-0003", Role.ClientUser),
            NewUser("jane2", "Jane Doe", "U-0004", Role.ClientUser),
            NewUser("carl", "Carl Client", "U-0005", Role.ClientUser),
            NewUser("desk", "Sam Desk", "U-0006", Role.ServiceDesk),
            NewUser("old", "Olga Old", "U-0007", Role.Technician, active: false),
            // Active, but members of no rollout: an import must not find them (NewRolloutAsync leaves them out).
            NewUser("outsider", "Otto Outsider", "U-0008", Role.Technician),
            NewUser("admin", "Ada Admin", "U-0009", Role.Administrator),
        };
        db.Users.AddRange(users);
        var advanced = new ClientLinkType
        {
            OutwardName = "replaces",
            InwardName = "is replaced by",
            IsAdvanced = true,
            SharedFields = [new ClientLinkTypeSharedField { CustomField = fields[0] }, new ClientLinkTypeSharedField { CustomField = fields[1] }],
        };
        var plain = new ClientLinkType
        {
            OutwardName = "relates to",
            InwardName = "relates to",
            SharedFields = [new ClientLinkTypeSharedField { CustomField = fields[0] }],
        };
        db.ClientLinkTypes.AddRange(advanced, plain);
        await db.SaveChangesAsync();
        foreach (var status in workflow.Statuses)
        {
            Statuses[status.Name] = status.Id;
        }

        foreach (var field in fields)
        {
            Fields[field.Name] = field.Id;
        }

        foreach (var user in users)
        {
            Users[user.Email![..user.Email!.IndexOf('@', StringComparison.Ordinal)]] = user.Id;
        }

        AdvancedLinkType = advanced.Id;
        PlainLinkType = plain.Id;
    }

    /// <summary>
    /// A new rollout, every seeded user but <see cref="NonMembers"/> its member, with inventory "Laptops" (Location, Model, Software, Serial, Department, Notes, Tags, Slow, Pair) and
    /// inventory "Desktops" (Location, Model, Rack: required).
    /// </summary>
    public async Task<TestRollout> NewRolloutAsync(int? clientLimit = null)
    {
        var number = Interlocked.Increment(ref _rollouts);
        await using var db = Database.CreateContext();
        var workflowId = await db.Workflows.Where(w => w.Name == Workflow).Select(w => w.Id).SingleAsync();
        int[] FieldIds(params string[] names) => [.. names.Select(f => Fields[f])];
        var rollout = await new RolloutBuilder("Rollout " + number, "R" + number)
            .WithClientLimit(clientLimit)
            .WithWorkflow(workflowId)
            .WithInventory("Laptops", FieldIds("Location", "Model", "Software", "Serial", "Department", "Notes", "Tags", "Slow", "Pair"))
            .WithInventory("Desktops", FieldIds("Location", "Model", "Rack"))
            .SaveAsync(db);
        db.RolloutMembers.AddRange(Users.Where(u => !NonMembers.Contains(u.Key))
            .Select(u => new RolloutMember { RolloutId = rollout.RolloutId, UserId = u.Value }));
        await db.SaveChangesAsync();
        return new TestRollout(this, rollout.RolloutId, rollout.Inventory("Laptops"), rollout.Inventory("Desktops"))
        {
            Name = rollout.Rollout.Name,
        };
    }

    public ValueTask DisposeAsync() => Database.DisposeAsync();
}

public sealed class TestRollout(RulesDatabase database, int id, int laptops, int desktops)
{
    public RulesDatabase Database { get; } = database;

    public int Id { get; } = id;

    public string Name { get; init; } = "";

    public int Laptops { get; } = laptops;

    public int Desktops { get; } = desktops;

    public async Task<int> AddClientAsync(string name, int? inventoryId = null, Dictionary<string, string[]>? values = null)
    {
        await using var db = Database.Database.CreateContext();
        var client = new Client
        {
            Name = name,
            RolloutId = Id,
            InventoryId = inventoryId ?? Laptops,
            StatusId = Database.Statuses["New"],
            Values = (values ?? []).ToDictionary(v => Database.Fields[v.Key], v => v.Value),
        };
        db.Clients.Add(client);
        await db.SaveChangesAsync();
        return client.Id;
    }

    public async Task LinkAsync(int source, int target, int? linkType = null)
    {
        await using var db = Database.Database.CreateContext();
        var link = new ClientLink
        {
            SourceClientId = source,
            TargetClientId = target,
            ClientLinkTypeId = linkType ?? Database.AdvancedLinkType,
        };
        db.ClientLinks.Add(link);
        if (link.ClientLinkTypeId == Database.AdvancedLinkType)
        {
            db.AdvancedLinkMemberships.AddRange(
                new AdvancedLinkMembership { ClientId = source, ClientLink = link },
                new AdvancedLinkMembership { ClientId = target, ClientLink = link });
        }

        await db.SaveChangesAsync();
    }

    public async Task<ImportChecker> CheckerAsync(FileSpec file, int? inventoryId = null, bool compareValues = false)
    {
        await using var db = Database.Database.CreateContext();
        return await ImportCheckerLoader.LoadAsync(db, inventoryId ?? Laptops, file.Mapping, file.Columns, compareValues: compareValues);
    }

    /// <param name="compareValues">As the dry run (the Check) does: counts the clients the file would change.</param>
    public async Task<CheckResult> CheckAsync(FileSpec file, int? inventoryId = null, bool compareValues = false) =>
        (await CheckerAsync(file, inventoryId, compareValues)).Check(file.Rows);
}

/// <summary>A file made in a test: its columns, a mapping of each header to the target of the same name, and its rows.</summary>
public sealed class FileSpec
{
    private FileSpec(IReadOnlyList<SheetColumn> columns, ImportMapping mapping)
    {
        Columns = columns;
        Mapping = mapping;
    }

    public IReadOnlyList<SheetColumn> Columns { get; }

    public ImportMapping Mapping { get; }

    public List<SourceRow> Rows { get; } = [];

    /// <summary>Columns A, B, … with these headers, each mapped to the target of the same name ("ClientUser", "Model").</summary>
    public static FileSpec With(params string[] targets)
    {
        var columns = targets.Select((t, i) => new SheetColumn(i, Letter(i), t)).ToList();
        var mapping = new ImportMapping
        {
            Columns = [.. columns.Select(c => new ColumnMapping { Letter = c.Letter, Header = c.Header, Target = c.Header })],
        };
        return new FileSpec(columns, mapping);
    }

    public FileSpec UpdateExisting()
    {
        Mapping.UpdateExisting = true;
        return this;
    }

    public ColumnMapping Column(string target) => Mapping.Columns.Single(c => c.Target == target);

    /// <summary>Adds a row numbered as a spreadsheet would: the header is row 1.</summary>
    public FileSpec Row(params string?[] cells)
    {
        Rows.Add(new SourceRow(Rows.Count + 2, cells, []));
        return this;
    }

    public FileSpec RowWithIssue(CellIssue issue, params string?[] cells)
    {
        Rows.Add(new SourceRow(Rows.Count + 2, cells, [issue]));
        return this;
    }

    public static string Letter(int index)
    {
        var letter = "";
        for (var i = index + 1; i > 0; i = (i - 1) / 26)
        {
            letter = (char)('A' + ((i - 1) % 26)) + letter;
        }

        return letter;
    }
}
