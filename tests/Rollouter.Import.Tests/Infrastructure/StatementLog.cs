using System.Collections.Concurrent;
using System.Data.Common;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;

namespace Rollouter.Import.Tests.Infrastructure;

/// <summary>The SQL of every command the app's <see cref="RolloutDbContext"/> runs, in order.</summary>
public sealed partial class StatementLog : DbCommandInterceptor
{
    private readonly ConcurrentQueue<string> _statements = new();

    public IReadOnlyList<string> Statements => [.. _statements];

    public void Clear() => _statements.Clear();

    /// <summary>The statements that read the clients' table (<c>FROM "Clients"</c> or a join of it).</summary>
    public IReadOnlyList<string> ReadingClients => [.. Statements.Where(s => ClientsTable().IsMatch(s))];

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result) => Add(command, result);

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) => ValueTask.FromResult(Add(command, result));

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData,
        InterceptionResult<object> result) => Add(command, result);

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<object> result, CancellationToken cancellationToken = default) => ValueTask.FromResult(Add(command, result));

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData,
        InterceptionResult<int> result) => Add(command, result);

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<int> result, CancellationToken cancellationToken = default) => ValueTask.FromResult(Add(command, result));

    private T Add<T>(DbCommand command, T result)
    {
        _statements.Enqueue(command.CommandText);
        return result;
    }

    [GeneratedRegex("""\b(FROM|JOIN)\s+"Clients"(\s|$)""", RegexOptions.IgnoreCase)]
    private static partial Regex ClientsTable();
}

/// <summary>The app (SQLite) with the statements of its database context logged in <see cref="Statements"/>.</summary>
public class StatementLoggingWebFactory : RolloutWebFactory
{
    public StatementLoggingWebFactory()
    {
    }

    protected StatementLoggingWebFactory(DatabaseProvider provider) : base(provider)
    {
    }

    public StatementLog Statements { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.ConfigureDbContext<RolloutDbContext>(o => o.AddInterceptors(Statements), ServiceLifetime.Singleton));
    }
}

/// <summary>The same on PostgreSQL.</summary>
public sealed class PostgresStatementLoggingWebFactory() : StatementLoggingWebFactory(DatabaseProvider.PostgreSql);
