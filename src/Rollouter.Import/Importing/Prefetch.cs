using System.Collections.Concurrent;

namespace Rollouter.Import.Importing;

/// <summary>
/// Runs a sequence's producer (e.g. parsing the file) on another thread, a bounded number of items ahead of the
/// consumer (checking or writing), so that the two use both cores of the machine. Items cross between the threads in
/// chunks: handing over single items costs more in waking and spinning than the work itself.
/// </summary>
public static class Prefetch
{
    private const int ChunkSize = 512;

    public static IEnumerable<T> Ahead<T>(IEnumerable<T> source, int capacity, CancellationToken cancellationToken)
    {
        using var buffer = new BlockingCollection<List<T>>(Math.Max(2, capacity / ChunkSize));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Exception? failure = null;
        var producer = Task.Factory.StartNew(() =>
        {
            try
            {
                var chunk = new List<T>(ChunkSize);
                foreach (var item in source)
                {
                    chunk.Add(item);
                    if (chunk.Count == ChunkSize)
                    {
                        buffer.Add(chunk, stop.Token);
                        chunk = new List<T>(ChunkSize);
                    }
                }

                if (chunk.Count > 0)
                {
                    buffer.Add(chunk, stop.Token);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                failure = e;
            }
            finally
            {
                buffer.CompleteAdding();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        try
        {
            foreach (var chunk in buffer.GetConsumingEnumerable(cancellationToken))
            {
                foreach (var item in chunk)
                {
                    yield return item;
                }
            }

            producer.Wait(CancellationToken.None);
            if (failure is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            }
        }
        finally
        {
            // The consumer stopped early (an error, or it had enough): let the producer finish and release the file.
            stop.Cancel();
            producer.Wait(CancellationToken.None);
        }
    }
}
