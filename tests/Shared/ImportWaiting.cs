using System.Diagnostics;

namespace Rollouter.Import.Testing;

/// <summary>
/// The one way the tests wait for an import (compiled into the unit and the browser test projects: the browser tests
/// talk to the app over HTTP only and reference no assembly of the solution). An import runs as a background job, so
/// a test asks again until the answer says it got there, and fails with the last answer when it did not in time.
/// </summary>
public static class ImportWaiting
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(100);

    /// <param name="import">Names the import in the failure message (its id or its page).</param>
    /// <param name="ask">One look at the import: the API's import, the page's progress, …</param>
    /// <param name="until">Whether the import got there; it may assert what must hold on the way.</param>
    /// <param name="describe">The last answer, for the failure message.</param>
    public static async Task<T> WaitForImportAsync<T>(string import, Func<Task<T>> ask, Func<T, bool> until, TimeSpan timeout,
        Func<T, string> describe, TimeSpan? interval = null)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var answer = await ask();
            if (until(answer))
            {
                return answer;
            }

            Assert.True(waited.Elapsed < timeout, $"Import {import} did not get there within {timeout.TotalSeconds:0} s: {describe(answer)}");
            await Task.Delay(interval ?? DefaultInterval);
        }
    }
}
