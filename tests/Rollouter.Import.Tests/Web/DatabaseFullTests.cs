using System.Net;
using System.Reflection;
using System.Text;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Rollouter.Import.Data;
using Rollouter.Import.Tests.Api;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Web.Infrastructure.Problems;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// The database has no room left (SQLite keeps its file in the data folder; PostgreSQL's disk): a request that fails
/// for it is a 507 saying so, on the pages and in the API, not "something went wrong". The database's refusal is made
/// by an interceptor, as SQLite gives it (SQLITE_FULL), on the statement that stores a new import.
/// </summary>
public sealed class DatabaseFullTests(DatabaseFullWebFactory factory) : IClassFixture<DatabaseFullWebFactory>
{
    private static byte[] Csv() => Encoding.UTF8.GetBytes($"Name\nDBFULL-{Guid.NewGuid().ToString("N")[..8]}\n");

    [Fact]
    public async Task AnUploadThroughTheApi_WhenTheDatabaseIsFull_Is507WithASentence()
    {
        var client = await ApiTestClient.LoginAsync(factory, "manager@demo.test");
        var rolloutId = await client.RolloutIdAsync("W11");
        var laptops = await client.InventoryIdAsync(rolloutId, "Laptops");

        var refused = await factory.WhileFullAsync(() => client.UploadAsync(rolloutId, laptops, "full.csv", Csv()));

        Assert.Equal(HttpStatusCode.InsufficientStorage, refused.StatusCode);
        var problem = await ApiTestClient.ReadAsync(refused);
        Assert.Equal(StorageFull.Message, problem["detail"]?.GetValue<string>());
        Assert.Equal("https://tools.ietf.org/html/rfc4918#section-11.5", problem["type"]?.GetValue<string>());
        Assert.Equal(HttpStatusCode.Created, (await client.UploadAsync(rolloutId, laptops, "room.csv", Csv())).StatusCode);
    }

    [Fact]
    public async Task AnUploadOnThePage_WhenTheDatabaseIsFull_ShowsTheNoRoomPage()
    {
        var browser = await factory.SignInAsync("manager@demo.test");
        int laptops;
        using (var scope = factory.Services.CreateScope())
        {
            laptops = await scope.ServiceProvider.GetRequiredService<RolloutDbContext>().Inventories
                .Where(i => i.Name == "Laptops").Select(i => i.Id).SingleAsync();
        }

        var refused = await factory.WhileFullAsync(() => ImportPagesTests.UploadAsync(browser, laptops, "full.csv", Csv()));

        Assert.Equal(HttpStatusCode.InsufficientStorage, refused.StatusCode);
        var text = (await refused.ReadPageAsync()).Body?.TextContent ?? "";
        Assert.Contains("No room on the server", text);
        Assert.Contains(StorageFull.Message, text);
    }

    [Theory]
    [InlineData("sqlite", true)]
    [InlineData("postgres", true)]
    [InlineData("sqlite-busy", false)]
    [InlineData("io", true)]
    public void TheDatabasesNoRoomErrors_AreRecognised_OthersAreNot(string kind, bool full)
    {
        Exception error = kind switch
        {
            "sqlite" => new SqliteException("database or disk is full", 13),
            "postgres" => new DbUpdateException("saving failed",
                new PostgresException("could not extend file", "ERROR", "ERROR", "53100")),
            "sqlite-busy" => new SqliteException("database is locked", 5),
            _ => new InvalidOperationException("wrapped", new IOException("No space left on device", 28)),
        };

        Assert.Equal(full, StorageFull.Is(error));
    }

    /// <summary>
    /// SQL Server's: a filegroup full (1105), no space in a filegroup (1101), the log full (9002), Azure SQL's size quota
    /// (40544); a deadlock (1205) is not for want of room.
    /// </summary>
    [Theory]
    [InlineData(1105, true)]
    [InlineData(1101, true)]
    [InlineData(9002, true)]
    [InlineData(40544, true)]
    [InlineData(1205, false)]
    public void SqlServersNoRoomErrors_AreRecognised_OthersAreNot(int number, bool full) =>
        Assert.Equal(full, StorageFull.Is(new DbUpdateException("saving failed", SqlServerError(number))));

    /// <summary>A SqlException of <paramref name="number"/>: SqlClient makes them only internally.</summary>
    private static SqlException SqlServerError(int number)
    {
        const BindingFlags Internal = BindingFlags.NonPublic | BindingFlags.Instance;
        var errorConstructor = typeof(SqlError).GetConstructors(Internal)
            .OrderBy(c => c.GetParameters().Length)
            .First(c => c.GetParameters() is [{ ParameterType: var n }, ..] && n == typeof(int));
        var error = (SqlError)errorConstructor.Invoke([.. errorConstructor.GetParameters().Select(p => p.Position switch
        {
            0 => number,
            _ when p.ParameterType == typeof(string) => "test",
            _ when p.ParameterType == typeof(byte) => (byte)16,
            _ => p.ParameterType.IsValueType ? Activator.CreateInstance(p.ParameterType) : null,
        })]);
        var errors = (SqlErrorCollection)typeof(SqlErrorCollection).GetConstructors(Internal).Single().Invoke([]);
        typeof(SqlErrorCollection).GetMethod("Add", Internal)!.Invoke(errors, [error]);
        return (SqlException)typeof(SqlException).GetMethod("CreateException", BindingFlags.NonPublic | BindingFlags.Static,
            [typeof(SqlErrorCollection), typeof(string)])!.Invoke(null, [errors, "16.0"])!;
    }
}

/// <summary>The app, whose database refuses to store a new import as a full disk would while <see cref="WhileFullAsync"/> runs.</summary>
public sealed class DatabaseFullWebFactory : FailingStatementsWebFactory
{
    public Task<T> WhileFullAsync<T>(Func<Task<T>> request) =>
        WhileFailingAsync(command => command.CommandText.Contains("INSERT INTO \"Imports\"", StringComparison.Ordinal)
            ? new SqliteException("SQLite Error 13: 'database or disk is full'.", 13)
            : null, request);
}
