using System.Security.Cryptography;
using System.Text;

namespace Rollouter.Import.Tests.Reading;

/// <summary>
/// Encrypts a workbook (.xlsx bytes) as Excel does when a password is set: ECMA-376 Standard Encryption (AES-128,
/// SHA-1, 50,000 rounds), the package in an OLE compound file with EncryptionInfo and EncryptedPackage streams. With
/// "VelvetSweatshop", Excel's default password, Excel opens the workbook without asking.
/// </summary>
public static class OfficeEncryption
{
    public const string DefaultPassword = "VelvetSweatshop";

    public static byte[] Encrypt(byte[] package, string password)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var key = Key(password, salt);
        using var aes = Aes.Create();
        aes.Key = key;
        var verifier = RandomNumberGenerator.GetBytes(16);
        var verifierHash = new byte[32];
        SHA1.HashData(verifier).CopyTo(verifierHash, 0);

        var info = new MemoryStream();
        var writer = new BinaryWriter(info);
        writer.Write((ushort)4);
        writer.Write((ushort)2);
        writer.Write(0x24u);
        var csp = Encoding.Unicode.GetBytes("Microsoft Enhanced RSA and AES Cryptographic Provider\0");
        writer.Write(32 + csp.Length);
        writer.Write(0x24u);
        writer.Write(0u);
        writer.Write(0x660Eu);
        writer.Write(0x8004u);
        writer.Write(128u);
        writer.Write(0x18u);
        writer.Write(0u);
        writer.Write(0u);
        writer.Write(csp);
        writer.Write(16u);
        writer.Write(salt);
        writer.Write(aes.EncryptEcb(verifier, PaddingMode.None));
        writer.Write(20u);
        writer.Write(aes.EncryptEcb(verifierHash, PaddingMode.None));
        writer.Flush();

        var padded = new byte[(package.Length + 15) / 16 * 16];
        package.CopyTo(padded, 0);
        var encrypted = new byte[8 + padded.Length];
        BitConverter.GetBytes((long)package.Length).CopyTo(encrypted, 0);
        aes.EncryptEcb(padded, PaddingMode.None).CopyTo(encrypted, 8);
        return CompoundFile.Create(("EncryptionInfo", info.ToArray()), ("EncryptedPackage", encrypted));
    }

    /// <summary>ECMA-376 2.3.4.7: the password hashed with the salt, 50,000 rounds, then derived to 128 bits.</summary>
    private static byte[] Key(string password, byte[] salt)
    {
        var hash = SHA1.HashData([.. salt, .. Encoding.Unicode.GetBytes(password)]);
        for (var i = 0; i < 50_000; i++)
        {
            hash = SHA1.HashData([.. BitConverter.GetBytes(i), .. hash]);
        }

        hash = SHA1.HashData([.. hash, .. BitConverter.GetBytes(0)]);
        var buffer = new byte[64];
        for (var i = 0; i < 64; i++)
        {
            buffer[i] = (byte)(0x36 ^ (i < hash.Length ? hash[i] : 0));
        }

        return SHA1.HashData(buffer)[..16];
    }
}
