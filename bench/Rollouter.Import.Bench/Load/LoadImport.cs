using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Rollouter.Import.Bench.Load;

/// <summary>
/// One import through the app's API, as a script does it: upload, approve, poll until it ends. <see cref="Seconds"/> is
/// the job's own time (started to finished, as the app records it); <see cref="Wait"/> the time from the approval to
/// the start (the job queue's polling).
/// </summary>
public sealed record LoadImport(int ImportId, int Rows, double Seconds, double Wait, string Status)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"rows={Rows} seconds={Seconds:0.00} wait_s={Wait:0.0} status={Status}");

    public static async Task<LoadImport> RunAsync(LoadSession session, int rolloutId, int inventoryId, string file, TimeSpan limit,
        Action<int>? started = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        using var content = new MultipartFormDataContent();
        content.Add(new StringContent(inventoryId.ToString(CultureInfo.InvariantCulture)), "inventoryId");
        var stream = new StreamContent(File.OpenRead(file));
        stream.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        content.Add(stream, "file", Path.GetFileName(file));
        using var upload = new HttpClient(new SocketsHttpHandler()) { BaseAddress = session.Api.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        upload.DefaultRequestHeaders.Authorization = session.Api.DefaultRequestHeaders.Authorization;
        using var created = await upload.PostAsync($"/api/rollouts/{rolloutId}/imports", content);
        var body = await created.Content.ReadAsStringAsync();
        if (!created.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Upload refused ({(int)created.StatusCode}): {body}");
        }

        var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetInt32();
        using var approved = await upload.PostAsync($"/api/imports/{id}/approve", null);
        if (!approved.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Approval refused ({(int)approved.StatusCode}): {await approved.Content.ReadAsStringAsync()}");
        }

        started?.Invoke(id);
        var watch = Stopwatch.StartNew();
        while (true)
        {
            await Task.Delay(500);
            using var poll = await upload.GetAsync($"/api/imports/{id}");
            if (!poll.IsSuccessStatusCode)
            {
                continue;
            }

            var import = JsonDocument.Parse(await poll.Content.ReadAsStringAsync()).RootElement;
            var status = import.GetProperty("status").GetString()!;
            if (status is "Completed" or "Failed")
            {
                var approvedAt = import.GetProperty("approvedAt").GetDateTimeOffset();
                var startedAt = import.GetProperty("startedAt").GetDateTimeOffset();
                var finishedAt = import.GetProperty("finishedAt").GetDateTimeOffset();
                var counts = import.GetProperty("counts");
                return new LoadImport(id, counts.GetProperty("created").GetInt32() + counts.GetProperty("updated").GetInt32(),
                    (finishedAt - startedAt).TotalSeconds, (startedAt - approvedAt).TotalSeconds, status);
            }

            if (watch.Elapsed > limit)
            {
                return new LoadImport(id, 0, double.NaN, double.NaN, "TimedOut");
            }
        }
    }
}
