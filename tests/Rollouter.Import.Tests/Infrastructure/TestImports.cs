using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing;
using Rollouter.Import.Importing.Files;
using Rollouter.Import.Importing.Reading;

namespace Rollouter.Import.Tests.Infrastructure;

/// <summary>
/// Imports made the way users make them: through <see cref="ImportLifecycle"/> (upload, mapping, approval), never by
/// setting a status by hand.
/// </summary>
public static class TestImports
{
    private static readonly ImportFileViews Views = new();

    /// <summary>The value of a result a test expects to succeed; otherwise the test fails with the problem's message.</summary>
    public static T Expect<T>(this Result<T> result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Succeeded ? result.Value : throw new Xunit.Sdk.XunitException($"Refused ({result.Problem.Kind}): {result.Problem.Message}");
    }

    /// <summary>
    /// A life cycle over <paramref name="db"/> without the web app; approvals queue nothing (the test runs them). Its
    /// clock is the system's unless <paramref name="clock"/> is given.
    /// </summary>
    public static ImportLifecycle Lifecycle(RolloutDbContext db, string cacheFolder, TimeProvider? clock = null)
    {
        var files = new ImportFileStore(db, cacheFolder);
        clock ??= TimeProvider.System;
        return new ImportLifecycle(db, files, Views, ReaderLimits.Default,
            new ImportProcessor(db, files, ReaderLimits.Default, clock, NullLogger<ImportProcessor>.Instance),
            NoImportQueue.Instance, clock, NullLogger<ImportLifecycle>.Instance);
    }

    /// <summary>Uploads <paramref name="content"/> as a new import, as the upload step does (kept, read, mapped automatically).</summary>
    public static async Task<ImportState> CreateAsync(this ImportLifecycle imports, string uploadFolder, int rolloutId,
        int inventoryId, string fileName, byte[] content, int userId)
    {
        ArgumentNullException.ThrowIfNull(imports);
        using var upload = (await new ImportUploads(uploadFolder, ReaderLimits.Default)
            .ReceiveAsync(new MemoryStream(content), default)).Expect();
        return (await imports.CreateAsync(rolloutId, inventoryId, fileName, upload, userId, default)).Expect();
    }

    /// <summary>Uploads <paramref name="content"/> as a new import into the web app's database.</summary>
    public static async Task<ImportState> CreateAsync(IServiceProvider services, int rolloutId, int inventoryId,
        string fileName, byte[] content, int userId)
    {
        ArgumentNullException.ThrowIfNull(services);
        using var upload = (await services.GetRequiredService<ImportUploads>()
            .ReceiveAsync(new MemoryStream(content), default)).Expect();
        return (await services.GetRequiredService<ImportLifecycle>()
            .CreateAsync(rolloutId, inventoryId, fileName, upload, userId, default)).Expect();
    }

    /// <summary>
    /// Approves an import of the web app without queuing its job: In Progress with nobody running it, as after a crash
    /// between the approval and the job, until the test runs it.
    /// </summary>
    public static async Task<ClientImport> ApproveWithoutJobAsync(IServiceProvider services, int importId, int userId) =>
        (await ActivatorUtilities.CreateInstance<ImportLifecycle>(services, NoImportQueue.Instance)
            .ApproveAsync(importId, userId, default)).Expect();
}
