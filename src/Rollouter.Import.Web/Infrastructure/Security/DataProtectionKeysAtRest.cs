using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;

namespace Rollouter.Import.Web.Infrastructure.Security;

/// <summary>
/// The data protection keys (they encrypt the sign-in cookies, the known-browser cookie, links and form tokens) are kept
/// in the database (<c>DataProtectionKeys</c>); without more they are stored in the clear, and whoever reads the database
/// or a backup can read the cookies. With <see cref="CertificatePathSetting"/> (a PKCS#12 file with its private key, and
/// <see cref="CertificatePasswordSetting"/>) every key made from then on is stored encrypted with that certificate
/// (ASP.NET Core's <c>ProtectKeysWithCertificate</c>), and read with it (decision 0154). Every instance needs the same
/// certificate file. Keys made before stay as they were (readable until they expire, 90 days).
/// </summary>
public static class DataProtectionKeysAtRest
{
    public const string CertificatePathSetting = "Rollouter:DataProtection:CertificatePath";

    public const string CertificatePasswordSetting = "Rollouter:DataProtection:CertificatePassword";

    /// <summary>How many times each certificate file was read, by full path: a test's own file is read once a start.</summary>
    private static readonly ConcurrentDictionary<string, int> Reads = new(StringComparer.Ordinal);

    /// <summary>
    /// Encrypts the keys at rest with the certificate <see cref="Load"/> read (the start-up's checks read it once,
    /// <see cref="StartupChecks.Check(IConfiguration, string)"/>); nothing when none is configured.
    /// </summary>
    public static IDataProtectionBuilder ProtectKeysAtRest(this IDataProtectionBuilder builder, X509Certificate2? certificate)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return certificate is null ? builder
            : builder.ProtectKeysWithCertificate(certificate).UnprotectKeysWithAnyCertificate(certificate);
    }

    /// <summary>What is wrong with the configured certificate, as a sentence for the start's one line; null when nothing.</summary>
    public static string? Problem(IConfiguration configuration, string contentRoot)
    {
        var (certificate, problem) = Load(configuration, contentRoot);
        certificate?.Dispose();
        return problem;
    }

    /// <summary>How many times the certificate file at <paramref name="path"/> (a full path) was read in this process.</summary>
    internal static int ReadsOf(string path) => Reads.TryGetValue(path, out var count) ? count : 0;

    /// <summary>
    /// The configured certificate, read from its file, or what is wrong with it as a sentence; neither when none is
    /// configured. The caller owns the certificate.
    /// </summary>
    public static (X509Certificate2? Certificate, string? Problem) Load(IConfiguration configuration, string contentRoot)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var configured = configuration[CertificatePathSetting];
        if (string.IsNullOrWhiteSpace(configured))
        {
            return (null, null);
        }

        var path = Path.GetFullPath(configured.Trim(), contentRoot);
        if (!File.Exists(path))
        {
            return (null, $"{CertificatePathSetting} names {path}, which does not exist: give the path of a PKCS#12 (.pfx) " +
                          "file holding the certificate and its private key.");
        }

        Reads.AddOrUpdate(path, 1, (_, count) => count + 1);
        try
        {
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, configuration[CertificatePasswordSetting],
                X509KeyStorageFlags.EphemeralKeySet);
            using var key = certificate.HasPrivateKey ? certificate.GetRSAPrivateKey() : null;
            if (key is null)
            {
                certificate.Dispose();
                return (null, $"The certificate in {path} ({CertificatePathSetting}) has no RSA private key: the data " +
                              "protection keys are encrypted and read with an RSA certificate and its private key.");
            }

            return (certificate, null);
        }
        catch (CryptographicException e)
        {
            return (null, $"The certificate in {path} ({CertificatePathSetting}) cannot be read: {e.Message.TrimEnd('.')}. " +
                          $"Check the file and {CertificatePasswordSetting}.");
        }
    }
}
