using System.Diagnostics;
using System.Globalization;
using ClosedXML.Excel;
using Npgsql;
using Rollouter.Import.Bench;
using Rollouter.Import.Data;

var command = args.FirstOrDefault();
var options = Options(args.Skip(1).ToArray());
switch (command)
{
    case "generate":
        var rows = int.Parse(options["rows"], CultureInfo.InvariantCulture);
        var watch = Stopwatch.StartNew();
        if (options["format"] == "xlsx")
        {
            BenchData.File(rows).WriteXlsx(options["out"]);
        }
        else
        {
            BenchData.WriteCsv(options["out"], rows);
        }

        Console.WriteLine($"generated {options["out"]} ({new FileInfo(options["out"]).Length / 1024 / 1024} MB) in {watch.Elapsed.TotalSeconds:0.0} s");
        return 0;

    case "closedxml":
        return ClosedXmlReference(options["file"]);

    case "psqlcopy":
        return await PsqlCopyReferenceAsync(options["file"], options["connection"], options.GetValueOrDefault("indexed") == "yes");

    case "sqlitefloor":
        return await BenchSqliteFloor.RunAsync(int.Parse(options["rows"], CultureInfo.InvariantCulture));

    case "open":
        return BenchOpen.Run(options["file"]);

    case "read":
        return BenchRead.Run(options["file"]);

    case "import":
        return await BenchImport.RunAsync(options["file"],
            DatabaseProviders.Parse(options["db"] == "postgres" ? "PostgreSql" : options["db"]),
            options.GetValueOrDefault("connection"),
            options.TryGetValue("rows", out var expected) ? int.Parse(expected, CultureInfo.InvariantCulture) : null);

    case "process":
        return await BenchImport.ProcessAsync(DatabaseProviders.Parse(options["db"]), options["connection"],
            int.Parse(options["import"], CultureInfo.InvariantCulture), options["cache"],
            options.GetValueOrDefault("mode", "import"));

    case "viaapp":
        return await BenchViaApp.RunAsync(options["file"], options["connection"], options["app"],
            int.Parse(options["rows"], CultureInfo.InvariantCulture),
            options.TryGetValue("import-seconds", out var importSeconds) ? double.Parse(importSeconds, CultureInfo.InvariantCulture) : 0);

    case "rules":
        return await BenchRules.RunAsync(options["file"],
            options.TryGetValue("passes", out var passes) ? int.Parse(passes, CultureInfo.InvariantCulture) : 7);

    case "revert":
        return await BenchImport.RevertAsync(DatabaseProviders.Parse(options["db"]), options["connection"],
            int.Parse(options["import"], CultureInfo.InvariantCulture), options["cache"]);

    case "load":
        return await Rollouter.Import.Bench.Load.LoadBenchmark.RunAsync(new Rollouter.Import.Bench.Load.LoadOptions(
            int.Parse(options["clients"], CultureInfo.InvariantCulture),
            int.Parse(options["users"], CultureInfo.InvariantCulture),
            int.Parse(options["seconds"], CultureInfo.InvariantCulture),
            DatabaseProviders.Parse(options["db"] == "postgres" ? "PostgreSql" : options["db"]),
            options.GetValueOrDefault("connection"),
            options["app"],
            int.Parse(options.GetValueOrDefault("import-rows", "100000"), CultureInfo.InvariantCulture),
            options.GetValueOrDefault("app-log", "artifacts/load-app.log")));

    case "export":
        return await BenchExport.RunAsync(DatabaseProviders.Parse(options["db"]), options["connection"],
            int.Parse(options["inventory"], CultureInfo.InvariantCulture));

    case "usercheck":
        return await BenchUserCheck.RunAsync(DatabaseProviders.Parse(options["db"] == "postgres" ? "PostgreSql" : options["db"]),
            options.GetValueOrDefault("connection"),
            options.TryGetValue("queries", out var queries) ? int.Parse(queries, CultureInfo.InvariantCulture) : 5000);

    case "routes":
        return BenchRoutes.Run(options["app"]);

    default:
        Console.Error.WriteLine("usage: generate|closedxml|psqlcopy|sqlitefloor|open|read|import|process|revert|load|viaapp|rules|export|usercheck|routes --option value …");
        return 2;
}

static Dictionary<string, string> Options(string[] args)
{
    var result = new Dictionary<string, string>();
    for (var i = 0; i + 1 < args.Length; i += 2)
    {
        result[args[i].TrimStart('-')] = args[i + 1];
    }

    return result;
}

// The reference of the .xlsx target: ClosedXML opening the workbook and reading every cell.
static int ClosedXmlReference(string file)
{
    var watch = Stopwatch.StartNew();
    long cells = 0;
    using (var workbook = new XLWorkbook(file))
    {
        foreach (var row in workbook.Worksheet(1).RowsUsed())
        {
            foreach (var cell in row.CellsUsed())
            {
                if (cell.GetString().Length >= 0)
                {
                    cells++;
                }
            }
        }
    }

    var seconds = watch.Elapsed.TotalSeconds;
    using var process = Process.GetCurrentProcess();
    Console.WriteLine(FormattableString.Invariant(
        $"reference=closedxml cells={cells} seconds={seconds:0.00} peak_mb={process.PeakWorkingSet64 / 1024 / 1024}"));
    return 0;
}

// The reference of the .csv target: psql \copy of the same file into a plain 12-column text table.
// With indexed: the same file into the same 12 text columns and an identity key, indexed as "Clients" is for its
// lists and search (ClientConfiguration): the floor that PostgreSQL itself sets for an import with those indexes.
static async Task<int> PsqlCopyReferenceAsync(string file, string connection, bool indexed)
{
    var builder = new NpgsqlConnectionStringBuilder(connection);
    var database = "rollouter_copy_" + Guid.NewGuid().ToString("N")[..12];
    await using (var admin = new NpgsqlConnection(connection))
    {
        await admin.OpenAsync();
        await new NpgsqlCommand($"CREATE DATABASE \"{database}\"", admin).ExecuteNonQueryAsync();
    }

    try
    {
        var columns = string.Join(", ", BenchData.Headers.Select((_, i) => $"c{i} text"));
        var script = indexed
            ? $"CREATE EXTENSION IF NOT EXISTS pg_trgm;\n{IndexedLikeClients(columns)}\n\\copy bench_copy ({string.Join(", ", BenchData.Headers.Select((_, i) => $"c{i}"))}) FROM '{file.Replace("'", "''")}' WITH (FORMAT csv, HEADER true)\n"
            : $"CREATE TABLE bench_copy ({columns});\n\\copy bench_copy FROM '{file.Replace("'", "''")}' WITH (FORMAT csv, HEADER true)\n";
        var start = new ProcessStartInfo("psql",
            ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", builder.Host ?? "127.0.0.1", "-p", builder.Port.ToString(CultureInfo.InvariantCulture),
             "-U", builder.Username ?? "postgres", "-d", database])
        {
            RedirectStandardInput = true,
        };
        start.Environment["PGPASSWORD"] = builder.Password ?? "";
        var watch = Stopwatch.StartNew();
        using var psql = Process.Start(start)!;
        await psql.StandardInput.WriteAsync(script);
        psql.StandardInput.Close();
        await psql.WaitForExitAsync();
        var seconds = watch.Elapsed.TotalSeconds;
        if (psql.ExitCode != 0)
        {
            Console.Error.WriteLine("psql \\copy failed");
            return 1;
        }

        Console.WriteLine(FormattableString.Invariant($"reference={(indexed ? "psql_copy_indexed" : "psql_copy")} seconds={seconds:0.00}"));
        return 0;
    }
    finally
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(connection);
        await admin.OpenAsync();
        await new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", admin).ExecuteNonQueryAsync();
    }
}

// Column 0 is the name, 1 the status, 2 the assignee, 3 the client user, 4 the description: one index for each of
// "Clients"' own, entry for entry (the rollout's unique names, the inventory's names, the three sorts, the trigram
// search over name and description). The name is copied as it is: the import's lower-cased key costs it nothing here.
static string IndexedLikeClients(string columns) => $"""
    CREATE TABLE bench_copy (id int GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, rollout int NOT NULL DEFAULT 1,
      inventory int NOT NULL DEFAULT 1, {columns});
    CREATE UNIQUE INDEX bench_copy_rollout_name ON bench_copy (rollout, c0 COLLATE "C");
    CREATE INDEX bench_copy_inventory_name ON bench_copy (inventory, c0 COLLATE "C");
    CREATE INDEX bench_copy_status ON bench_copy (inventory, c1, id);
    CREATE INDEX bench_copy_assignee ON bench_copy (inventory, c2, id);
    CREATE INDEX bench_copy_client_user ON bench_copy (inventory, c3, id);
    CREATE INDEX bench_copy_search ON bench_copy USING gin (c0 gin_trgm_ops, c4 gin_trgm_ops);
    """;
