using System.Globalization;

namespace Rollouter.Import.Importing.Reading;

internal enum NumberFormatKind : byte
{
    Number,
    Date,
    DateTime,
    Time,

    /// <summary>An integer shown with leading zeros ("00000"), such as a postcode.</summary>
    ZeroPadded,
}

internal readonly record struct NumberFormat(NumberFormatKind Kind, int Digits = 0)
{
    public static readonly NumberFormat General = new(NumberFormatKind.Number);
}

/// <summary>Cell values as a person reads them in the spreadsheet.</summary>
internal static class CellText
{
    private static readonly DateTime Epoch1900 = new(1899, 12, 30);
    private static readonly DateTime Epoch1904 = new(1904, 1, 1);

    /// <summary>Excel's built-in number formats that show dates or times.</summary>
    public static NumberFormat BuiltIn(int id) => id switch
    {
        14 or 15 or 16 or 17 or (>= 27 and <= 31) or (>= 34 and <= 36) or (>= 50 and <= 58) => new(NumberFormatKind.Date),
        18 or 19 or 20 or 21 or 32 or 33 or 45 or 46 or 47 => new(NumberFormatKind.Time),
        22 => new(NumberFormatKind.DateTime),
        _ => NumberFormat.General,
    };

    /// <summary>Classifies a format code by its first section: d/y (and m without h/s) mean a date, h/s a time.</summary>
    public static NumberFormat Classify(string code)
    {
        bool date = false, time = false, month = false, zeros = true;
        var digits = 0;
        for (var i = 0; i < code.Length; i++)
        {
            var c = code[i];
            switch (c)
            {
                case ';':
                    i = code.Length;
                    continue;
                case '"':
                    var close = code.IndexOf('"', i + 1);
                    i = close < 0 ? code.Length : close;
                    zeros = false;
                    continue;
                case '[':
                    var end = code.IndexOf(']', i + 1);
                    var inside = end < 0 ? "" : code[(i + 1)..end].ToLowerInvariant();
                    if (inside.Length > 0 && inside.Trim('h', 'm', 's').Length == 0)
                    {
                        time = true;
                    }

                    i = end < 0 ? code.Length : end;
                    zeros = false;
                    continue;
                case '\\' or '_' or '*':
                    i++;
                    zeros = false;
                    continue;
                case '0':
                    digits++;
                    continue;
            }

            zeros = false;
            switch (char.ToLowerInvariant(c))
            {
                case 'd' or 'y':
                    date = true;
                    break;
                case 'h' or 's':
                    time = true;
                    break;
                case 'm':
                    month = true;
                    break;
                case 'a' when code.AsSpan(i).StartsWith("am/pm", StringComparison.OrdinalIgnoreCase) || code.AsSpan(i).StartsWith("a/p", StringComparison.OrdinalIgnoreCase):
                    time = true;
                    i += 2;
                    break;
                case 'g' when code.AsSpan(i).StartsWith("general", StringComparison.OrdinalIgnoreCase):
                    i += 6;
                    break;
            }
        }

        if (zeros && digits > 1)
        {
            return new(NumberFormatKind.ZeroPadded, digits);
        }

        date |= month && !time;
        return date && time ? new(NumberFormatKind.DateTime)
            : date ? new(NumberFormatKind.Date)
            : time ? new(NumberFormatKind.Time)
            : NumberFormat.General;
    }

    /// <summary>A number as Excel shows it in a General cell: 15 significant digits, never an exponent.</summary>
    public static string Number(double value)
    {
        if (value == 0 || !double.IsFinite(value))
        {
            return value == 0 ? "0" : value.ToString(CultureInfo.InvariantCulture);
        }

        var s = value.ToString("G15", CultureInfo.InvariantCulture);
        var e = s.IndexOf('E', StringComparison.Ordinal);
        if (e < 0)
        {
            return s;
        }

        var exponent = int.Parse(s.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var mantissa = s[..e];
        var negative = mantissa.StartsWith('-');
        if (negative)
        {
            mantissa = mantissa[1..];
        }

        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        var point = (dot < 0 ? mantissa.Length : dot) + exponent;
        var text = point <= 0 ? "0." + new string('0', -point) + digits
            : point >= digits.Length ? digits + new string('0', point - digits.Length)
            : digits[..point] + "." + digits[point..];
        return negative ? "-" + text : text;
    }

    public static string Format(double value, NumberFormat format, bool date1904)
    {
        switch (format.Kind)
        {
            case NumberFormatKind.Date or NumberFormatKind.DateTime or NumberFormatKind.Time when TryDate(value, date1904, out var dt):
                return format.Kind switch
                {
                    NumberFormatKind.Date => dt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    NumberFormatKind.Time => dt.ToString("HH:mm:ss", CultureInfo.InvariantCulture),
                    _ => dt.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
                };
            case NumberFormatKind.ZeroPadded when value >= 0 && value < 1e15 && value == Math.Floor(value):
                return ((long)value).ToString(new string('0', format.Digits), CultureInfo.InvariantCulture);
            default:
                return Number(value);
        }
    }

    public static string Date(DateTime value, bool withTime) =>
        value.ToString(withTime ? "yyyy-MM-dd'T'HH:mm:ss" : "yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>An Excel serial date (1900 system with its phantom 29 February 1900, or 1904 system), to the second.</summary>
    public static bool TryDate(double serial, bool date1904, out DateTime value)
    {
        value = default;
        if (!(serial >= 0 && serial < 2958466))
        {
            return false;
        }

        var days = Math.Floor(serial);
        var seconds = Math.Round((serial - days) * 86400);
        if (!date1904 && days < 61)
        {
            // Excel counts a 29 February 1900 that never was: serials before it are one day later than the epoch says.
            days = days < 60 ? days + 1 : 60;
        }

        value = (date1904 ? Epoch1904 : Epoch1900).AddDays(days).AddSeconds(seconds);
        return true;
    }
}
