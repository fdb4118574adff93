using System.Text;

namespace Rollouter.Import.Importing.Reading.Csv;

/// <summary>
/// UTF-16 decoded as decision 0044 reads text: half a surrogate pair (Excel's LEFT() cutting an emoji, saved as Unicode
/// Text) becomes U+FFFD; a byte without its partner (a file of odd length) is an error, since the file is broken.
/// </summary>
internal sealed class Utf16DecoderFallback : DecoderFallback
{
    public static readonly Utf16DecoderFallback Instance = new();

    public override int MaxCharCount => 2;

    public override DecoderFallbackBuffer CreateFallbackBuffer() => new Buffer();

    /// <summary>The encoding <paramref name="bigEndian"/> or not, without a byte order mark of its own, with this fallback.</summary>
    public static Encoding Create(bool bigEndian)
    {
        var encoding = (Encoding)new UnicodeEncoding(bigEndian, false).Clone();
        encoding.DecoderFallback = Instance;
        return encoding;
    }

    private sealed class Buffer : DecoderFallbackBuffer
    {
        private int _count;
        private int _remaining;

        public override int Remaining => _remaining;

        public override bool Fallback(byte[] bytesUnknown, int index)
        {
            // A lone surrogate is two bytes (a high one and a lone byte at the end may come together: three).
            if (bytesUnknown.Length % 2 != 0)
            {
                throw new DecoderFallbackException("A byte without its partner: the file's length is odd.", bytesUnknown, index);
            }

            _count = _remaining = bytesUnknown.Length / 2;
            return true;
        }

        public override char GetNextChar()
        {
            if (_remaining == 0)
            {
                return '\0';
            }

            _remaining--;
            return '\uFFFD';
        }

        public override bool MovePrevious()
        {
            if (_remaining >= _count)
            {
                return false;
            }

            _remaining++;
            return true;
        }

        public override void Reset() => _count = _remaining = 0;
    }
}
