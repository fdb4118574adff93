using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Rollouter.Import.Data;
using Rollouter.Import.Data.Entities;
using Rollouter.Import.Importing.Files;

namespace Rollouter.Import.Web.Infrastructure.Security;

/// <summary>
/// Bearer tokens of the JSON API: HMAC-SHA256 JWTs signed with <c>Rollouter:Api:SigningKey</c> (base64, at least 32
/// bytes), or, when that is not configured, with a key generated once and kept in the data folder (several instances
/// must then be given the same key by configuration). A token names the user's security stamp (as a hash): a new
/// password, a reset or invitation link or a deactivation changes the stamp and ends every token issued before; a
/// token also names the user's role and key account manager flag, and ends when either changes. Each token is recorded
/// (a <see cref="UserSession"/> with <see cref="UserSession.IsApiToken"/>, named by the token's <c>jti</c>, never the
/// token itself): signing it out (<c>POST /api/auth/logout</c>), signing out everywhere or an administrator ending the
/// user's sign-ins deletes the record, and the token is refused from the next request on (decision 0180).
/// </summary>
public sealed class ApiTokens(SymmetricSecurityKey key, TimeProvider clock, string? newKeyFile = null)
{
    /// <summary>The key file this start made (none was in the data folder and no key is configured), or null.</summary>
    public string? NewKeyFile => newKeyFile;

    /// <summary>
    /// Says at Warning that the key this start made (<see cref="NewKeyFile"/>) ends every token issued before, when the
    /// database already held users at this start (<paramref name="databaseHeldUsers"/>): a database restored or kept
    /// while the data folder is new (a restore into an empty folder, an app folder replaced with the data folder in
    /// it), so the tokens its users' scripts hold answer 401. Nothing on a first start, whose database is new too.
    /// </summary>
    public void WarnOfNewKey(bool databaseHeldUsers, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        if (newKeyFile is null || !databaseHeldUsers)
        {
            return;
        }

        logger.LogWarning(
            "Made a new API signing key at {Path}, but the database already holds users: every API token issued before " +
            "this start no longer works (it is answered 401). If this data folder is new (a restore, a moved or replaced " +
            "app folder), stop the app, put the api-signing-key file of the backup or of the old data folder in its place, " +
            "and start again; or set {Setting} (docs/operations.md, Backup and restore)",
            newKeyFile, SigningKeySetting);
    }

    public const string Scheme = JwtBearerDefaults.AuthenticationScheme;

    /// <summary>The default scheme: <see cref="Scheme"/> under /api, the sign-in cookie everywhere else.</summary>
    public const string PathScheme = "BearerUnderApiElseCookie";
    public const string Issuer = "Rollouter.Import";
    public const string Audience = "Rollouter.Import.Api";
    public const string StampClaim = "rollouter:stamp";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    /// <summary>
    /// What a token carries of the security stamp: a hash, because a token is only signed, not encrypted, and the stamp
    /// itself also keys Identity's one-time codes.
    /// </summary>
    public static string StampOf(string? securityStamp) =>
        Base64UrlEncoder.Encode(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(securityStamp ?? "")));

    /// <summary>The 401's detail for a token that was signed out (its record deleted) while its user and stamp stayed.</summary>
    public const string SignedOut =
        "This token was signed out (POST /api/auth/logout, a sign-out everywhere, or an administrator ended the user's " +
        "sign-ins), so it no longer works: sign in again (POST /api/auth/login) for a new one.";

    /// <summary>The 401's detail for a token issued before tokens were recorded (it names no record).</summary>
    public const string IssuedBeforeRecords =
        "This token was issued before the server was upgraded to let tokens be signed out, so it no longer works: sign in " +
        "again (POST /api/auth/login) for a new one, once.";

    /// <summary>The token's claim that names its record (<see cref="UserSessions.StartTokenAsync"/>): JWT's own <c>jti</c>.</summary>
    public const string IdClaim = JwtRegisteredClaimNames.Jti;

    /// <summary>A new token of <paramref name="user"/>, named <paramref name="tokenId"/> (its record's id).</summary>
    public string Create(User user, string tokenId)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentException.ThrowIfNullOrEmpty(tokenId);
        var now = clock.GetUtcNow().UtcDateTime;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + Lifetime,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
            Subject = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new Claim(ClaimTypes.Name, user.Email ?? user.UserName ?? ""),
                new Claim(ClaimTypes.Role, user.Role.ToString()),
                new Claim(RolloutClaims.DisplayNameClaim, user.DisplayName),
                new Claim(StampClaim, StampOf(user.SecurityStamp)),
                new Claim(IdClaim, tokenId),
                .. user.IsKeyAccountManager ? [new Claim(RolloutClaims.KeyAccountManagerClaim, "true")] : Array.Empty<Claim>(),
            ]),
        });
    }

    /// <summary>The setting that holds the key (environment variable <c>Rollouter__Api__SigningKey</c>).</summary>
    public const string SigningKeySetting = "Rollouter:Api:SigningKey";

    private const int MinimumKeyBytes = 32;

    /// <summary>What is wrong with a key's text ("is not base64", "holds 9 bytes"), or null when it is a good key.</summary>
    public static string? KeyProblem(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        var buffer = new byte[(trimmed.Length * 3 / 4) + 3];
        return !Convert.TryFromBase64String(trimmed, buffer, out var length) ? "is not base64"
            : length < MinimumKeyBytes ? $"holds {length} bytes"
            : null;
    }

    public static SymmetricSecurityKey LoadKey(IConfiguration configuration, string dataFolder) =>
        LoadKey(configuration, dataFolder, null, out _);

    /// <inheritdoc cref="LoadKey(IConfiguration, string, Func{string, Stream}?, out string?)"/>
    internal static SymmetricSecurityKey LoadKey(IConfiguration configuration, string dataFolder, Func<string, Stream>? createFile) =>
        LoadKey(configuration, dataFolder, createFile, out _);

    /// <param name="configuration">The app's configuration (<see cref="SigningKeySetting"/>).</param>
    /// <param name="dataFolder">Where the generated key is kept.</param>
    /// <param name="createFile">Opens the new key's file (<see cref="LocalDisk.CreateNew"/> by default); a test gives a full disk.</param>
    /// <param name="madeFile">The key's file when this call made it, or null.</param>
    /// <exception cref="StartupFailureException">The key is not a good key, or the data folder's disk has no room for a new one.</exception>
    internal static SymmetricSecurityKey LoadKey(IConfiguration configuration, string dataFolder, Func<string, Stream>? createFile,
        out string? madeFile)
    {
        madeFile = null;
        var configured = configuration[SigningKeySetting];
        string? problem;
        byte[] bytes;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            // StartupChecks has said what is wrong with a configured key before the services are made.
            problem = KeyProblem(configured) is { } configuredProblem
                ? $"{SigningKeySetting} must be a base64 key of at least {MinimumKeyBytes} bytes; the configured one {configuredProblem}."
                : null;
            bytes = problem is null ? Convert.FromBase64String(configured.Trim()) : [];
        }
        else
        {
            var path = Path.Combine(dataFolder, "api-signing-key");
            if (!File.Exists(path))
            {
                Directory.CreateDirectory(dataFolder);
                var partial = path + "." + Guid.NewGuid().ToString("N");
                try
                {
                    using var file = (createFile ?? LocalDisk.CreateNew)(partial);
                    file.Write(System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(64))));
                    file.Flush();
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Nothing half-written stays: a restart loop on a full disk left one empty file per attempt.
                    LocalDisk.TryDelete(partial);
                    if (LocalDisk.IsFull(e))
                    {
                        throw new StartupFailureException(
                            $"the data folder's disk is full: the API signing key could not be written to {path} " +
                            $"({e.Message.TrimEnd('.')}). Free some space on it (or set {SigningKeySetting}), then start again.", e);
                    }

                    throw;
                }

                try
                {
                    File.Move(partial, path, overwrite: false);
                    madeFile = path;
                }
                catch (IOException)
                {
                    File.Delete(partial); // another instance wrote it first
                }
            }

            var kept = File.ReadAllText(path);
            problem = KeyProblem(kept) is { } keptProblem
                ? $"the API signing key kept in {path} {keptProblem}; it must be a base64 key of at least {MinimumKeyBytes} " +
                  $"bytes. Delete the file (a new key is made at the next start, and API tokens signed with the old one " +
                  $"end) or set {SigningKeySetting}."
                : null;
            bytes = problem is null ? Convert.FromBase64String(kept.Trim()) : [];
        }

        return problem is not null ? throw new StartupFailureException(problem) : new SymmetricSecurityKey(bytes);
    }
}

public static class ApiTokenSetup
{
    /// <summary>
    /// The token's user as every API request checks it, with whether the token's record is still there (an
    /// <c>EXISTS</c> on the record's primary key, in the same statement), compiled once per model (docs/performance.md,
    /// 2026-12-07): EF would otherwise walk the expression for its parameters and look up its translation on each request.
    /// </summary>
    private static readonly CompiledPerModel<Func<RolloutDbContext, int, string, CancellationToken, Task<TokenUser?>>> TokenUserQuery =
        new(() => EF.CompileAsyncQuery((RolloutDbContext db, int userId, string tokenId, CancellationToken cancellationToken) =>
            db.Users.AsNoTracking()
                .Where(u => u.Id == userId)
                .Select(u => new TokenUser(u.IsActive, u.Role, u.IsKeyAccountManager, u.SecurityStamp, u.NormalizedEmail,
                    db.UserSessions.Any(s => s.Id == tokenId && s.UserId == userId && s.IsApiToken)))
                .SingleOrDefault()));

    private sealed record TokenUser(bool IsActive, Role Role, bool IsKeyAccountManager, string? SecurityStamp, string? NormalizedEmail,
        bool Recorded);

    /// <summary>Whether the token's stamp is not the user's current security stamp: a sign-in or link ended since.</summary>
    private static bool StampDiffers(ClaimsPrincipal principal, string stamp) =>
        !string.Equals(principal.FindFirstValue(ApiTokens.StampClaim), ApiTokens.StampOf(stamp), StringComparison.Ordinal);

    /// <summary>
    /// Registers the bearer scheme. Every request re-reads the user (one small query, no cache: a change applies at once on
    /// every instance): a token is refused when the user was deactivated, their role or key account manager flag changed,
    /// or their security stamp changed since it was issued.
    /// </summary>
    public static IServiceCollection AddApiTokens(this IServiceCollection services, IConfiguration configuration,
        string dataFolder)
    {
        var key = ApiTokens.LoadKey(configuration, dataFolder, null, out var madeFile);
        services.AddSingleton(sp => new ApiTokens(key, sp.GetRequiredService<TimeProvider>(), madeFile));
        // The sign-in log's hash of a typed email is keyed by the same secret every instance holds (decision 0150).
        services.AddSingleton(new TypedTextHash(key.Key));
        services.AddAuthentication().AddJwtBearer(ApiTokens.Scheme, o =>
        {
            o.MapInboundClaims = false;
            o.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = ApiTokens.Issuer,
                ValidAudience = ApiTokens.Audience,
                IssuerSigningKey = key,
                ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                NameClaimType = ClaimTypes.Name,
                RoleClaimType = ClaimTypes.Role,
                ClockSkew = TimeSpan.FromMinutes(1),
            };
            o.Events = new JwtBearerEvents
            {
                OnTokenValidated = async context =>
                {
                    // JwtBearer sets the principal before this event; the type says "maybe" for the other events.
                    var principal = context.Principal ?? throw new InvalidOperationException(
                        "JwtBearer raised OnTokenValidated without the token's principal.");
                    var userId = principal.UserId();
                    var tokenId = principal.FindFirstValue(ApiTokens.IdClaim) ?? "";
                    var db = context.HttpContext.RequestServices.GetRequiredService<RolloutDbContext>();
                    var user = await TokenUserQuery.For(db)(db, userId, tokenId, context.HttpContext.RequestAborted);
                    // The role and the key account manager flag are the token's rights: compared here, like the
                    // cookie check does, so that whichever page, call or instance changes them, old tokens end.
                    // Each refusal says which changed (ApiTokenRefusal), in the 401's detail and WWW-Authenticate.
                    var refusal = user is not { IsActive: true, SecurityStamp: not null }
                        ? "The user of this token is deactivated, so the token no longer works: ask an administrator to " +
                          "reactivate the account, then sign in again (POST /api/auth/login)."
                        : user.Role != principal.Role()
                        ? $"The user's role changed since this token was issued (from {principal.Role()?.ToString() ?? "none"} to {user.Role}), so " +
                          "the token no longer works: sign in again (POST /api/auth/login) for a token with the new role."
                        : user.IsKeyAccountManager != principal.IsKeyAccountManager()
                        ? "The user's key account manager flag changed since this token was issued, so the token no longer " +
                          "works: sign in again (POST /api/auth/login) for a token with the new rights."
                        : StampDiffers(principal, user.SecurityStamp)
                          && !string.Equals(context.HttpContext.RequestServices.GetRequiredService<ILookupNormalizer>()
                              .NormalizeEmail(principal.FindFirstValue(ClaimTypes.Name)), user.NormalizedEmail, StringComparison.Ordinal)
                        ? "The user's email address was changed since this token was issued, so the token no longer works " +
                          "(a changed email also ends the user's sign-ins and links): sign in again with the new address " +
                          "(POST /api/auth/login)."
                        : StampDiffers(principal, user.SecurityStamp)
                        ? "The user's password was changed, or their sign-ins were ended (a new password, an invitation or " +
                          "reset link, a deactivation), since this token was issued, so it no longer works: sign in again " +
                          "(POST /api/auth/login)."
                        : tokenId.Length == 0
                        ? ApiTokens.IssuedBeforeRecords
                        : !user.Recorded
                        ? ApiTokens.SignedOut
                        : null;
                    if (refusal is not null)
                    {
                        context.Fail(new ApiTokenRefusal.RefusedException(refusal));
                    }
                },
                OnChallenge = context =>
                {
                    // A token was sent and refused: why, in the header (RFC 6750's error_description) and in the 401's
                    // problem details (ProblemMapping). Without a token the challenge stays a plain "Bearer".
                    if (context.AuthenticateFailure is { } failure)
                    {
                        var reason = ApiTokenRefusal.Reason(failure);
                        context.Error = "invalid_token";
                        context.ErrorDescription = ApiTokenRefusal.HeaderText(reason);
                        context.HttpContext.Items[ApiTokenRefusal.ReasonItem] = reason;
                    }

                    return Task.CompletedTask;
                },
            };
        });
        return services;
    }
}
