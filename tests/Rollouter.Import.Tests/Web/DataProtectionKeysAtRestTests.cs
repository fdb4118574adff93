using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Rollouter.Import.Tests.Infrastructure;
using Rollouter.Import.Web.Infrastructure.Security;

namespace Rollouter.Import.Tests.Web;

/// <summary>The app with Rollouter:DataProtection:CertificatePath set to a certificate made for it (decision 0154).</summary>
public sealed class KeysAtRestWebFactory : RolloutWebFactory
{
    private const string Password = "test-only-password";

    private readonly string _certificate = MakeCertificate();

    /// <summary>The certificate file made for this factory (a full path).</summary>
    public string CertificatePath => _certificate;

    private static string MakeCertificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=Rollouter data protection keys (test)", rsa, HashAlgorithmName.SHA256,
            RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var path = Path.Combine(Directory.CreateTempSubdirectory("keys-at-rest-").FullName, "keys.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, Password));
        return path;
    }

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        [DataProtectionKeysAtRest.CertificatePathSetting] = _certificate,
        [DataProtectionKeysAtRest.CertificatePasswordSetting] = Password,
    };
}

/// <summary>
/// QA (personal data, decision 0154): the data protection keys, which encrypt the sign-in cookies, were stored in the
/// database in the clear (the start-up warned "No XML encryptor configured"): whoever read the database or a backup
/// could read every cookie. With a certificate configured, the keys are stored encrypted with it, and the app still reads
/// them (a sign-in's cookie opens the next page).
/// </summary>
public sealed class DataProtectionKeysAtRestTests(KeysAtRestWebFactory factory) : IClassFixture<KeysAtRestWebFactory>
{
    [Fact]
    public async Task WithACertificateConfigured_TheKeysAreStoredEncrypted_AndTheCookiesStillWork()
    {
        var browser = await factory.SignInAsync("manager@demo.test");

        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/rollouts")).StatusCode);
        var keys = await factory.WithDbAsync(db => db.DataProtectionKeys.AsNoTracking().Select(k => k.Xml).ToListAsync());
        Assert.NotEmpty(keys);
        Assert.All(keys, xml => Assert.Contains("encryptedSecret", xml ?? "", StringComparison.Ordinal));
        Assert.All(keys, xml => Assert.DoesNotContain("<masterKey", xml ?? "", StringComparison.Ordinal));
    }

    /// <summary>
    /// Decision 0154's start-up read the certificate file twice: once to check it, once more for the keys. It is read once
    /// now, by the check, and that certificate is the one the keys are encrypted with.
    /// </summary>
    [Fact]
    public async Task TheCertificateFile_IsReadOnce_ForTheCheckAndTheKeys()
    {
        var browser = await factory.SignInAsync("manager@demo.test");
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/rollouts")).StatusCode);

        Assert.Equal(1, DataProtectionKeysAtRest.ReadsOf(factory.CertificatePath));
    }

    [Fact]
    public void ACertificateThatIsNotThere_OrNotReadable_IsSaidInOneSentence()
    {
        var folder = Directory.CreateTempSubdirectory("keys-at-rest-bad-").FullName;
        File.WriteAllText(Path.Combine(folder, "broken.pfx"), "not a certificate");
        string? Problem(string path) => DataProtectionKeysAtRest.Problem(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [DataProtectionKeysAtRest.CertificatePathSetting] = path }).Build(), folder);

        Assert.Null(Problem(""));
        Assert.StartsWith($"Rollouter:DataProtection:CertificatePath names {Path.Combine(folder, "missing.pfx")}, which does not exist",
            Problem("missing.pfx"));
        Assert.StartsWith($"The certificate in {Path.Combine(folder, "broken.pfx")} (Rollouter:DataProtection:CertificatePath) cannot be read",
            Problem("broken.pfx"));
    }
}
