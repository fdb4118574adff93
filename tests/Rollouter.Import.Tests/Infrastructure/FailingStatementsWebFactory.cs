using System.Data.Common;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;

namespace Rollouter.Import.Tests.Infrastructure;

/// <summary>
/// The app with one interceptor on its database's statements, armed only while <see cref="WhileFailingAsync"/> runs: the
/// statements its failure names (a full disk's, an unreachable or read-only database's, a busy one's) fail, every other
/// runs. The factories of such tests derive from it and say which statements fail with what.
/// </summary>
public abstract class FailingStatementsWebFactory : RolloutWebFactory
{
    private readonly FailingStatements _statements = new();

    /// <summary>
    /// Runs <paramref name="requests"/> while each statement for which <paramref name="failure"/> gives an exception
    /// throws it, and disarms after, whatever the requests did.
    /// </summary>
    protected async Task<T> WhileFailingAsync<T>(Func<DbCommand, Exception?> failure, Func<Task<T>> requests)
    {
        _statements.Failure = failure;
        try
        {
            return await requests();
        }
        finally
        {
            _statements.Failure = null;
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.ConfigureDbContext<RolloutDbContext>(o => o.AddInterceptors(_statements), ServiceLifetime.Singleton));
    }

    private sealed class FailingStatements : DbCommandInterceptor
    {
        public volatile Func<DbCommand, Exception?>? Failure;

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) =>
            Failure?.Invoke(command) is { } failure ? throw failure : ValueTask.FromResult(result);

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
            Failure?.Invoke(command) is { } failure ? throw failure : ValueTask.FromResult(result);

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<object> result, CancellationToken cancellationToken = default) =>
            Failure?.Invoke(command) is { } failure ? throw failure : ValueTask.FromResult(result);
    }
}
