using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.TestData;

/// <summary>
/// The benchmark's inventory and file (issue #3): four statuses, six custom fields, a manager, 20 technicians and
/// 5,000 client users, and a file of 12 columns whose every row is made from its number. The rule tests use the same
/// fields, so what the bench measures is what they check.
/// </summary>
public static class BenchData
{
    public static readonly string[] Headers =
    [
        "Name", "Status", "Assignee", "Client User", "Description", "Client flag",
        "Location", "Model", "Software", "Serial", "Department", "Notes",
    ];

    public static readonly string[] Statuses = ["New", "Prepared", "Scheduled", "Done"];

    public const int Technicians = 20;

    public const int ClientUsers = 5000;

    /// <summary>Location, Model (7 options), Software (10), Serial (pattern SN + 9 digits), Department (40), Notes: new entities.</summary>
    public static CustomField[] Fields() =>
    [
        TestSettings.Field("Location", CustomFieldType.Input),
        TestSettings.Field("Model", CustomFieldType.Selection, Enumerable.Range(0, 7).Select(i => $"Model {i}")),
        TestSettings.Field("Software", CustomFieldType.MultiSelection, Enumerable.Range(0, 10).Select(i => $"App {i}")),
        TestSettings.Field("Serial", CustomFieldType.Input, pattern: "^SN[0-9]{9}$"),
        TestSettings.Field("Department", CustomFieldType.Selection, Enumerable.Range(0, 40).Select(i => $"Dept {i}")),
        TestSettings.Field("Notes", CustomFieldType.TextArea),
    ];

    /// <summary>The manager first, then the technicians and the client users the file names.</summary>
    public static IEnumerable<User> Users() =>
        Enumerable.Range(0, Technicians)
            .Select(i => TestSettings.User($"tech{i}@bench.test", $"Technician {i}", $"B-T{i}", Role.Technician))
            .Concat(Enumerable.Range(0, ClientUsers)
                .Select(i => TestSettings.User($"user{i}@bench.test", $"User {i}", $"B-U{i}", Role.ClientUser)))
            .Prepend(TestSettings.User("manager@bench.test", "Bench Manager", "B-MANAGER", Role.RolloutManager));

    /// <summary>Rollout "Bench" (BENCH) with inventory "Bench", its workflow, fields and users (its members).</summary>
    public static RolloutBuilder Rollout(DateTimeOffset createdAt) => new RolloutBuilder("Bench", "BENCH")
        .CreatedAt(createdAt)
        .WithWorkflow("Bench", Statuses)
        .WithInventory("Bench", Fields())
        .WithMembers(Users());

    /// <summary>The file: <paramref name="rows"/> rows numbered from <paramref name="first"/>.</summary>
    /// <param name="first">Files with other clients of the same rollout start further on.</param>
    /// <param name="moved">The same clients a week later: see <see cref="Row"/>.</param>
    public static ClientFile File(int rows, bool moved = false, int first = 1) =>
        new ClientFile(Headers).Rows(rows, i => Row(i, moved), first);

    /// <summary>The file as CSV, as Excel saves it: commas, CRLF line ends, UTF-8 without a byte order mark.</summary>
    public static void WriteCsv(string path, int rows, bool moved = false, int first = 1) =>
        File(rows, moved, first).WriteCsv(path, lineEnd: "\r\n");

    /// <param name="i">The row's number, from 1.</param>
    /// <param name="moved">The same client a week later: the next status and another room (an update of two fields).</param>
    public static string[] Row(int i, bool moved = false) =>
    [
        $"PC-{i:0000000}",
        Statuses[(moved ? i + 1 : i) % 4],
        $"tech{i % Technicians}@bench.test",
        $"user{i % ClientUsers}@bench.test",
        $"Laptop for desk {i % 977}, floor {i % 9}",
        i % 50 == 0 ? "Check docking station" : "",
        moved ? $"Building {(char)('A' + (i + 1) % 6)}, room {(i + 7) % 400}" : $"Building {(char)('A' + i % 6)}, room {i % 400}",
        $"Model {i % 7}",
        (i % 3) switch
        {
            0 => $"App {i % 10}",
            1 => $"App {i % 10};App {(i + 3) % 10}",
            _ => $"App {i % 10};App {(i + 1) % 10};App {(i + 5) % 10}",
        },
        $"SN{i % 1_000_000_000:000000000}",
        $"Dept {i % 40}",
        (i % 4) switch
        {
            0 => "",
            1 => "Fragile, handle with care",
            2 => $"User says \"urgent\", call {i % 100}",
            _ => "Two lines:\nkeys at reception",
        },
    ];
}
