using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Rollouter.Import.Data;

namespace Rollouter.Import.Bench;

/// <summary>
/// What the per-request user check costs: the query the cookie check and the bearer token validation make on every
/// request (a new DbContext, one row by primary key), with the security stamp and, for comparison, without it as
/// before; the cookie check now reads the browser's session joined to its user (decision 0020, 2026-12-05), and the
/// token check whether the token's record is still there, in the same statement (decision 0180, 2026-12-08). Rounds
/// alternate the variants so that a busy machine slows all alike; CPU time of this process per query, the median of
/// the rounds.
/// </summary>
public static class BenchUserCheck
{
    public static async Task<int> RunAsync(DatabaseProvider provider, string? connection, int queries)
    {
        await using var database = await BenchDatabase.CreateAsync(provider, connection);
        var userId = database.UserId;
        const string sessionId = "0123456789abcdef0123456789abcdef";
        const string tokenId = "fedcba9876543210fedcba9876543210";
        await using (var setup = database.CreateContext())
        {
            var now = DateTimeOffset.UtcNow;
            setup.UserSessions.Add(new Rollouter.Import.Data.Entities.UserSession
            {
                Id = sessionId, UserId = userId, CreatedAt = now, LastSeenAt = now, ExpiresAt = now.AddHours(8),
            });
            setup.UserSessions.Add(new Rollouter.Import.Data.Entities.UserSession
            {
                Id = tokenId, UserId = userId, CreatedAt = now, LastSeenAt = now, ExpiresAt = now.AddHours(8), IsApiToken = true,
            });
            await setup.SaveChangesAsync();
        }

        // As the app makes them since 2026-12-07: compiled once (ApiTokenSetup's CompiledPerModel).
        var tokenBefore = EF.CompileAsyncQuery((RolloutDbContext db, int id) => db.Users.AsNoTracking().Where(u => u.Id == id)
            .Select(u => new { u.IsActive, u.Role, u.IsKeyAccountManager, u.SecurityStamp, u.NormalizedEmail, Recorded = true })
            .SingleOrDefault());
        var tokenRecorded = EF.CompileAsyncQuery((RolloutDbContext db, int id, string token) => db.Users.AsNoTracking().Where(u => u.Id == id)
            .Select(u => new
            {
                u.IsActive, u.Role, u.IsKeyAccountManager, u.SecurityStamp, u.NormalizedEmail,
                Recorded = db.UserSessions.Any(s => s.Id == token && s.UserId == id && s.IsApiToken),
            })
            .SingleOrDefault());
        var variants = new (string Name, Func<RolloutDbContext, Task<bool>> Query)[]
        {
            ("compiled: token check until 2026-12-07 (5 columns)", async db => await tokenBefore(db, userId) is { Recorded: true }),
            ("compiled: token check with the token's record (5 columns + EXISTS)", async db => await tokenRecorded(db, userId, tokenId) is { Recorded: true }),
            ("cookie check, before (4 columns)", async db => await db.Users.AsNoTracking().Where(u => u.Id == userId)
                .Select(u => new { u.IsActive, u.Role, u.DisplayName, u.IsKeyAccountManager }).SingleOrDefaultAsync() is not null),
            ("cookie check, with the stamp (5 columns)", async db => await db.Users.AsNoTracking().Where(u => u.Id == userId)
                .Select(u => new { u.IsActive, u.SecurityStamp, u.Role, u.DisplayName, u.IsKeyAccountManager }).SingleOrDefaultAsync() is not null),
            ("cookie check, the session joined to its user (5 + 3 columns)", async db => await db.UserSessions.AsNoTracking()
                .Where(s => s.Id == sessionId && s.UserId == userId)
                .Select(s => new
                {
                    s.CreatedAt, s.LastSeenAt, s.ExpiresAt,
                    s.User.IsActive, s.User.SecurityStamp, s.User.Role, s.User.DisplayName, s.User.IsKeyAccountManager,
                }).SingleOrDefaultAsync() is not null),
            ("token check, before (2 columns)", async db => await db.Users.AsNoTracking().Where(u => u.Id == userId)
                .Select(u => new { u.IsActive, u.Role }).SingleOrDefaultAsync() is not null),
            ("token check, with the stamp and its hash (3 columns)", async db =>
            {
                var user = await db.Users.AsNoTracking().Where(u => u.Id == userId)
                    .Select(u => new { u.IsActive, u.Role, u.SecurityStamp }).SingleOrDefaultAsync();
                return SHA256.HashData(Encoding.UTF8.GetBytes(user?.SecurityStamp ?? "")).Length > 0;
            }),
            ("token check until 2026-12-07 (5 columns: active, role, flag, stamp, email)", async db =>
                await db.Users.AsNoTracking().Where(u => u.Id == userId)
                    .Select(u => new { u.IsActive, u.Role, u.IsKeyAccountManager, u.SecurityStamp, u.NormalizedEmail })
                    .SingleOrDefaultAsync() is not null),
            ("token check with the token's record (the same 5 columns + EXISTS by its id)", async db =>
                await db.Users.AsNoTracking().Where(u => u.Id == userId)
                    .Select(u => new
                    {
                        u.IsActive, u.Role, u.IsKeyAccountManager, u.SecurityStamp, u.NormalizedEmail,
                        Recorded = db.UserSessions.Any(s => s.Id == tokenId && s.UserId == userId && s.IsApiToken),
                    })
                    .SingleOrDefaultAsync() is { Recorded: true }),
        };

        const int rounds = 7;
        var perQuery = variants.ToDictionary(v => v.Name, _ => new List<double>());
        var process = Process.GetCurrentProcess();
        for (var round = -1; round < rounds; round++)
        {
            foreach (var (name, query) in variants)
            {
                var count = round < 0 ? Math.Min(queries, 500) : queries; // the first round warms up
                process.Refresh();
                var before = process.TotalProcessorTime;
                for (var i = 0; i < count; i++)
                {
                    await using var db = database.CreateContext();
                    if (!await query(db))
                    {
                        throw new InvalidOperationException("The bench user is missing.");
                    }
                }

                process.Refresh();
                if (round >= 0)
                {
                    perQuery[name].Add((process.TotalProcessorTime - before).TotalMicroseconds / count);
                }
            }
        }

        foreach (var (name, values) in perQuery)
        {
            values.Sort();
            Console.WriteLine($"{name}: {values[values.Count / 2]:0} us CPU per request (rounds {values[0]:0}-{values[^1]:0})");
        }

        return 0;
    }
}
