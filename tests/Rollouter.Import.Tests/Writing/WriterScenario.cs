using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Writing;
using Rollouter.Import.Tests.Infrastructure;

namespace Rollouter.Import.Tests.Writing;

/// <summary>A migrated database with one rollout, an inventory with three custom fields, users and statuses.</summary>
public sealed class WriterScenario : IAsyncDisposable
{
    private WriterScenario(TestDatabase database) => Database = database;

    public TestDatabase Database { get; }

    public int RolloutId { get; private set; }

    public int InventoryId { get; private set; }

    public int New { get; private set; }

    public int Done { get; private set; }

    public int Tech { get; private set; }

    public int OtherTech { get; private set; }

    public int Owner { get; private set; }

    public int Location { get; private set; }

    public int Model { get; private set; }

    public int Software { get; private set; }

    public WriteContext Context => new()
    {
        ImportId = 7,
        RolloutId = RolloutId,
        InventoryId = InventoryId,
        UserId = Tech,
        FieldNames = new Dictionary<int, string> { [Location] = "Location", [Model] = "Model", [Software] = "Software" },
    };

    public static async Task<WriterScenario> CreateAsync(DatabaseProvider provider)
    {
        var scenario = new WriterScenario(await TestDatabase.CreateAsync(provider));
        await using var db = scenario.Database.CreateContext();
        var location = TestSettings.Field("Location", CustomFieldType.Input);
        var model = TestSettings.Field("Model", CustomFieldType.Selection, ["Model 0", "Model 1"]);
        var software = TestSettings.Field("Software", CustomFieldType.MultiSelection);
        var rollout = await new RolloutBuilder("Windows 11", "W11")
            .WithWorkflow("Default", "New", "Done")
            .WithInventory("Laptops", location, model, software)
            .WithMembers(
                NewUser("tech1@example.test", "Tina Tech", Role.Technician),
                NewUser("tech2@example.test", "Tom Tech", Role.Technician),
                NewUser(null, "Olga Owner", Role.ClientUser))
            .SaveAsync(db);
        scenario.RolloutId = rollout.RolloutId;
        scenario.InventoryId = rollout.InventoryId;
        scenario.New = rollout.Statuses["New"];
        scenario.Done = rollout.Statuses["Done"];
        (scenario.Tech, scenario.OtherTech, scenario.Owner) = (rollout.Users[0].Id, rollout.Users[1].Id, rollout.Users[2].Id);
        scenario.Location = location.Id;
        scenario.Model = model.Id;
        scenario.Software = software.Id;
        return scenario;
    }

    public RolloutDbContext CreateContext() => Database.CreateContext();

    public ResolvedRow NewRow(int rowNumber, string name, string? location = null) => new()
    {
        RowNumber = rowNumber,
        Name = name,
        StatusId = New,
        Values = location is null ? [] : new Dictionary<int, string[]> { [Location] = [location] },
    };

    /// <summary>Adds a client the way the application would, outside any import.</summary>
    public async Task<int> AddClientAsync(string name, Dictionary<int, string[]>? values = null, int? assignee = null)
    {
        await using var db = CreateContext();
        var client = new Client
        {
            RolloutId = RolloutId,
            InventoryId = InventoryId,
            Name = name,
            StatusId = New,
            AssigneeId = assignee,
            Values = values ?? [],
        };
        db.Clients.Add(client);
        await db.SaveChangesAsync();
        return client.Id;
    }

    public async Task<WriteResult> WriteAsync(
        IEnumerable<ResolvedRow> rows, WriteContext? context = null, int batchSize = ClientWriter.DefaultBatchSize,
        IProgress<int>? progress = null, CancellationToken cancellationToken = default, TimeProvider? clock = null)
    {
        await using var db = CreateContext();
        return await new ClientWriter(clock ?? TimeProvider.System, batchSize).WriteAsync(db, context ?? Context, rows, progress, cancellationToken);
    }

    public async Task<(int Clients, int History, int Options)> CountAsync()
    {
        await using var db = CreateContext();
        return (await db.Clients.CountAsync(), await db.ClientHistory.CountAsync(), await db.CustomFieldOptions.CountAsync());
    }

    public ValueTask DisposeAsync() => Database.DisposeAsync();

    private static User NewUser(string? email, string name, Role role) =>
        TestSettings.User(email ?? name.Replace(' ', '.'), email, name, "U-" + name.Replace(" ", "", StringComparison.Ordinal), role);
}
