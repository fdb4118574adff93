using System.Data.Common;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
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
}

/// <summary>The app, whose database refuses to store a new import as a full disk would while <see cref="WhileFullAsync"/> runs.</summary>
public sealed class DatabaseFullWebFactory : RolloutWebFactory
{
    private readonly FullOnImportInsert _full = new();

    public async Task<T> WhileFullAsync<T>(Func<Task<T>> request)
    {
        _full.Armed = true;
        try
        {
            return await request();
        }
        finally
        {
            _full.Armed = false;
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.ConfigureDbContext<RolloutDbContext>(o => o.AddInterceptors(_full)));
    }

    private sealed class FullOnImportInsert : DbCommandInterceptor
    {
        public volatile bool Armed;

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) =>
            Armed && command.CommandText.Contains("INSERT INTO \"Imports\"", StringComparison.Ordinal)
                ? throw new SqliteException("SQLite Error 13: 'database or disk is full'.", 13)
                : ValueTask.FromResult(result);
    }
}
