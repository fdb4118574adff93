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

    /// <summary>Encrypts the keys at rest with the configured certificate; nothing when none is configured.</summary>
    /// <exception cref="StartupFailureException">The configured certificate cannot be used (<see cref="Problem"/>).</exception>
    public static IDataProtectionBuilder ProtectKeysAtRest(this IDataProtectionBuilder builder, IConfiguration configuration,
        string contentRoot)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var (certificate, problem) = Load(configuration, contentRoot);
        if (problem is not null)
        {
            throw new StartupFailureException(problem);
        }

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

    private static (X509Certificate2? Certificate, string? Problem) Load(IConfiguration configuration, string contentRoot)
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
