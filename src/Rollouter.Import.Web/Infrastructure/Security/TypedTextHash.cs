using System.Security.Cryptography;
using System.Text;

namespace Rollouter.Import.Web.Infrastructure.Security;

/// <summary>
/// A short keyed hash of a text someone typed where the app must not write the text itself (decision 0139: the email of
/// a throttled sign-in that belongs to no user, which may be a password typed into the email field). HMAC-SHA256 with a
/// key derived (HKDF) from the API signing key (<c>Rollouter:Api:SigningKey</c>, or the key kept in the data folder),
/// which every instance of an installation shares and which survives restarts: the same text gives the same 12 hex
/// digits on every instance and after a restart, so repeated attempts at one address still show as one hash, but whoever
/// reads the logs without the key cannot test a guessed address against it (decision 0150). The derivation's label keeps
/// these hashes apart from the tokens' signatures: neither tells anything of the other, nor of the key.
/// </summary>
public sealed class TypedTextHash
{
    private static readonly byte[] Label = Encoding.UTF8.GetBytes("Rollouter.Import: hash of a text typed at sign-in, v1");

    private readonly byte[] _key;

    public TypedTextHash(byte[] signingKey)
    {
        ArgumentNullException.ThrowIfNull(signingKey);
        _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, signingKey, 32, info: Label);
    }

    /// <summary>The first 12 hex digits of the keyed hash of <paramref name="text"/> (as normalized for the look-up).</summary>
    public string Of(string? text) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(text ?? "")))[..12];
}
