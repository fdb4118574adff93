using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing;
using Rollouter.Import.Importing.Files;
using Rollouter.Import.Importing.Mapping;
using Rollouter.Import.Importing.Reading;

namespace Rollouter.Import.Bench;

/// <summary>
/// Imports the bench file into a fresh database as the wizard and the job would: upload (kept in the database),
/// automatic mapping, approval, then <see cref="ImportProcessor.RunAsync"/> — the timed part, check and write.
/// </summary>
public static class BenchImport
{
    public static async Task<int> RunAsync(string file, DatabaseProvider provider, string? connection, int? expectedRows)
    {
        await using var database = await BenchDatabase.CreateAsync(provider, connection);
        var cache = Directory.CreateTempSubdirectory("rollouter-bench-files-").FullName;
        try
        {
            var importId = await PrepareAsync(database, file, cache);
            using (var before = Process.GetCurrentProcess())
            {
                Console.Error.WriteLine($"  prepared the import (upload, mapping); peak so far {before.PeakWorkingSet64 / 1024 / 1024} MB");
            }

            await using var db = database.CreateContext();
            var processor = new ImportProcessor(db, new ImportFileStore(db, cache), ReaderLimits.Default,
                TimeProvider.System, new StderrLogger<ImportProcessor>());

            var watch = Stopwatch.StartNew();
            var import = await processor.RunAsync(importId, null, CancellationToken.None);
            var seconds = watch.Elapsed.TotalSeconds;

            await using var verify = database.CreateContext();
            var clients = await verify.Clients.CountAsync(c => c.InventoryId == database.InventoryId);
            if (import.Status != ImportStatus.Completed || (expectedRows is int rows && clients != rows))
            {
                var errors = await verify.ImportRowErrors.Where(e => e.ImportId == importId).OrderBy(e => e.Row)
                    .Take(5).Select(e => $"row {e.Row} {e.Column}: {e.Message}").ToListAsync();
                Console.Error.WriteLine($"import {import.Status}: {import.FailureMessage} clients={clients} " +
                    string.Join("; ", errors));
                return 1;
            }

            using var process = Process.GetCurrentProcess();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"rows={clients} seconds={seconds:0.00} rows_per_s={clients / seconds:0} peak_mb={process.PeakWorkingSet64 / 1024 / 1024}"));
            return 0;
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }

    private static async Task<int> PrepareAsync(BenchDatabase database, string file, string cache)
    {
        await using var db = database.CreateContext();
        var import = new ClientImport
        {
            RolloutId = database.RolloutId,
            InventoryId = database.InventoryId,
            FileName = Path.GetFileName(file),
            CreatedById = database.UserId,
            CreatedAt = DateTimeOffset.UtcNow,
        };
        db.Imports.Add(import);
        await db.SaveChangesAsync();

        await using (var content = File.OpenRead(file))
        {
            (import.FileSize, import.FileSha256) = await new ImportFileStore(db, cache).SaveAsync(import.Id, content, default);
        }

        var opened = ImportFileReader.Open(file, import.FileName);
        using var spreadsheet = opened.File ?? throw new InvalidOperationException(opened.Problem!.Message);
        var inventory = await InventoryDefinition.LoadAsync(db, database.InventoryId, default);
        var mapping = AutomaticMapping.Suggest(spreadsheet.Columns, inventory, null);
        var unmapped = mapping.Columns.Where(c => c.Target is null).Select(c => c.Header).ToList();
        if (unmapped.Count > 0)
        {
            throw new InvalidOperationException("Columns not mapped automatically: " + string.Join(", ", unmapped));
        }

        import.ParseOptions = spreadsheet.Options.ToJson();
        import.Mapping = mapping.ToJson();
        import.RowCount = spreadsheet.CountRows();
        import.Status = ImportStatus.InProgress;
        import.ApprovedById = database.UserId;
        import.ApprovedAt = DateTimeOffset.UtcNow;
        await db.SaveChangesAsync();
        return import.Id;
    }
}
