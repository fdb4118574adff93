using Microsoft.Extensions.Configuration;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Tests.Web;

/// <summary>
/// QA (decision 0150): the throttled sign-in's log line named an unknown email by the plain SHA-256 of the text typed
/// (decision 0139), so whoever read the log could test a guessed address against it. The hash is now keyed by the
/// installation's API signing key: the same on every instance and after a restart (each loads the same key), and
/// another installation's key, or none, gives another.
/// </summary>
public sealed class TypedTextHashTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("typed-hash-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private TypedTextHash Start(string? configuredKey = null) => new(ApiTokens.LoadKey(new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?> { [ApiTokens.SigningKeySetting] = configuredKey }).Build(), _folder).Key);

    [Fact]
    public void TheHashIsKeyed_TheSameAcrossInstancesAndRestarts_NotThePlainShaOfTheText()
    {
        const string typed = "JANE.DOE@CUSTOMER.EXAMPLE";
        var plain = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(typed)))[..12];

        // Two starts on the data folder's generated key (a restart, or two instances sharing the folder's key).
        var first = Start().Of(typed);
        var restarted = Start().Of(typed);
        // Two instances given the same configured key.
        var configured = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var (instanceA, instanceB) = (Start(configured).Of(typed), Start(configured).Of(typed));

        Assert.Equal(12, first.Length);
        Assert.Equal(first, restarted);
        Assert.Equal(instanceA, instanceB);
        Assert.NotEqual(first, instanceA);
        Assert.DoesNotContain(plain, new[] { first, instanceA });
        Assert.NotEqual(first, Start().Of("JOHN.ROE@CUSTOMER.EXAMPLE"));
    }
}
