using System.Collections.Concurrent;

namespace Rollouter.Import.Importing;

/// <summary>
/// Runs a sequence's producer (e.g. parsing the file) on another thread, a bounded number of items ahead of the
/// consumer (checking or writing), so that the two use both cores of the machine.
/// </summary>
public static class Prefetch
{
    public static IEnumerable<T> Ahead<T>(IEnumerable<T> source, int capacity, CancellationToken cancellationToken)
    {
        using var buffer = new BlockingCollection<T>(capacity);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Exception? failure = null;
        var producer = Task.Factory.StartNew(() =>
        {
            try
            {
                foreach (var item in source)
                {
                    buffer.Add(item, stop.Token);
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
            foreach (var item in buffer.GetConsumingEnumerable(cancellationToken))
            {
                yield return item;
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
