using System.Globalization;

namespace Rollouter.Import.Importing.Reading;

internal enum NumberFormatKind : byte
{
    Number,
    Date,
    DateTime,
    Time,

    /// <summary>
    /// An integer shown with leading zeros ("00000"), such as a postcode; with literals (Zip Code + 4 "00000-0000",
    /// "000-00-0000", <c>"DE"000000</c>) the format's first section is in <see cref="NumberFormat.Code"/>.
    /// </summary>
    ZeroPadded,

    /// <summary>A percent format ("0%", "0.00%"): 0.5 reads "50%".</summary>
    Percent,

    /// <summary>An elapsed-time format ("[h]:mm:ss", "[mm]:ss"): 1.5 days read "36:00:00"; the code is in <see cref="NumberFormat.Code"/>.</summary>
    Elapsed,
}

/// <summary>Which day a workbook counts its serial numbers from (see <see cref="CellText.Serial"/>).</summary>
internal enum DateSystem : byte
{
    Excel1900,
    Excel1904,
    OpenDocument,
}

internal readonly record struct NumberFormat(NumberFormatKind Kind, int Digits = 0, string? Code = null)
{
    public static readonly NumberFormat General = new(NumberFormatKind.Number);
}

/// <summary>Cell values as a person reads them in the spreadsheet.</summary>
internal static class CellText
{
    private static readonly DateTime Epoch1900 = new(1899, 12, 30);
    private static readonly DateTime Epoch1904 = new(1904, 1, 1);

    /// <summary>The code of Excel's built-in number format 46 (ECMA-376 Part 1, 18.8.30), which a workbook does not store.</summary>
    public const string ElapsedHoursCode = "[h]:mm:ss";

    /// <summary>
    /// Excel's built-in number formats that show dates or times (ECMA-376 Part 1, 18.8.30): 45 is "mm:ss" and 47
    /// "mmss.0", times of day; 46 is "[h]:mm:ss", an elapsed time, read as that code is.
    /// </summary>
    public static NumberFormat BuiltIn(int id) => id switch
    {
        14 or 15 or 16 or 17 or (>= 27 and <= 31) or (>= 34 and <= 36) or (>= 50 and <= 58) => new(NumberFormatKind.Date),
        46 => new(NumberFormatKind.Elapsed, Code: ElapsedHoursCode),
        18 or 19 or 20 or 21 or 32 or 33 or 45 or 47 => new(NumberFormatKind.Time),
        22 => new(NumberFormatKind.DateTime),
        9 or 10 => new(NumberFormatKind.Percent),
        _ => NumberFormat.General,
    };

    /// <summary>Classifies a format code by its first section: d/y (and m without h/s) mean a date, h/s a time.</summary>
    public static NumberFormat Classify(string code)
    {
        bool date = false, time = false, month = false, zeros = true, elapsed = false, percent = false;

        // Digit placeholders (0, #) and literals only, in one section: an integer code such as "00000-0000".
        var pattern = true;
        var digits = 0;
        for (var i = 0; i < code.Length; i++)
        {
            var c = code[i];
            switch (c)
            {
                case ';':
                    i = code.Length;
                    pattern = false;
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
                        elapsed = true;
                    }

                    i = end < 0 ? code.Length : end;
                    zeros = false;
                    pattern = false;
                    continue;
                case '\\':
                    i++;
                    zeros = false;
                    continue;
                case '_' or '*':
                    i++;
                    zeros = false;
                    pattern = false;
                    continue;
                case '0':
                    digits++;
                    continue;
                case '%':
                    percent = true;
                    zeros = false;
                    pattern = false;
                    continue;
            }

            zeros = false;
            pattern &= c is '#' or '-' or ' ' or '(' or ')' or '/' or '+' or '$' or ':' or '!' or '^' or '&' or '\'' or '~' or '{' or '}' or '<' or '>' or '=';
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

        if (pattern && digits > 1)
        {
            return new(NumberFormatKind.ZeroPadded, digits, code);
        }

        if (elapsed && !date)
        {
            var end = code.IndexOf(';', StringComparison.Ordinal);
            return new(NumberFormatKind.Elapsed, Code: end < 0 ? code : code[..end]);
        }

        time |= elapsed;
        if (percent && !date && !time)
        {
            return new(NumberFormatKind.Percent);
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
                return format.Code is { } code
                    ? Integer((long)value, code)
                    : ((long)value).ToString(new string('0', format.Digits), CultureInfo.InvariantCulture);
            case NumberFormatKind.Percent when double.IsFinite(value):
                // The value as Excel shows it, with every digit it holds: 0.125 in a "0%" cell is "12.5%", not "13%".
                return Number(value * 100) + "%";
            case NumberFormatKind.Elapsed when double.IsFinite(value) && Math.Abs(value) < 1e9:
                return Elapsed(value, format.Code ?? ElapsedHoursCode);
            default:
                return Number(value);
        }
    }

    /// <summary>
    /// A whole number in an integer code of digit placeholders and literals, as Excel shows it: the digits fill the
    /// placeholders from the right, a 0 with no digit left shows "0", a # nothing, the leftmost placeholder takes any
    /// digits left over; literals (<c>"text"</c>, <c>\x</c>, "-", spaces, parentheses …) stay where they are.
    /// 12345678 in "00000-0000" is "01234-5678", 4711 in <c>"DE"000000</c> "DE004711".
    /// </summary>
    public static string Integer(long value, string code)
    {
        // The code's parts, left to right: a placeholder ('0' or '#') or a literal ('\0' with its text).
        var parts = new List<(char Placeholder, string Literal)>();
        for (var i = 0; i < code.Length; i++)
        {
            var c = code[i];
            switch (c)
            {
                case ';':
                    i = code.Length;
                    break;
                case '"':
                    var close = code.IndexOf('"', i + 1);
                    parts.Add(('\0', close < 0 ? code[(i + 1)..] : code[(i + 1)..close]));
                    i = close < 0 ? code.Length : close;
                    break;
                case '\\' when i + 1 < code.Length:
                    parts.Add(('\0', code[++i].ToString()));
                    break;
                case '0' or '#':
                    parts.Add((c, ""));
                    break;
                default:
                    parts.Add(('\0', c.ToString()));
                    break;
            }
        }

        var digits = value.ToString(CultureInfo.InvariantCulture);
        var left = digits.Length;
        var first = parts.FindIndex(p => p.Placeholder != '\0');
        var pieces = new string[parts.Count];
        for (var p = parts.Count - 1; p >= 0; p--)
        {
            var (placeholder, literal) = parts[p];
            if (placeholder == '\0')
            {
                pieces[p] = literal;
            }
            else if (p == first)
            {
                pieces[p] = left > 0 ? digits[..left] : placeholder == '0' ? "0" : "";
                left = 0;
            }
            else if (left > 0)
            {
                pieces[p] = digits[--left].ToString();
            }
            else
            {
                pieces[p] = placeholder == '0' ? "0" : "";
            }
        }

        return string.Concat(pieces);
    }

    /// <summary>
    /// A date-time stored as an ISO value (Strict .xlsx's <c>t="d"</c>, .ods's <c>office:date-value</c>) as its format
    /// shows it, the same text the serial number gives in that format: a date format shows the date only (18:00 or
    /// not), a date-time format the date and time, a time format the time of day, an elapsed-time format the duration
    /// since the workbook's day zero. Without a date or time format, the date, and its time when it is not midnight.
    /// </summary>
    public static string IsoDate(DateTime value, NumberFormat format, DateSystem system)
    {
        value = RoundToSecond(value);
        return format.Kind switch
        {
            NumberFormatKind.Date => Date(value, withTime: false),
            NumberFormatKind.DateTime => Date(value, withTime: true),
            NumberFormatKind.Time => value.ToString("HH:mm:ss", CultureInfo.InvariantCulture),
            NumberFormatKind.Elapsed => Format(Serial(value, system), format, system == DateSystem.Excel1904),
            _ => Date(value, value.TimeOfDay != TimeSpan.Zero),
        };
    }

    /// <summary>
    /// The serial number of a date-time, the inverse of <see cref="TryDate"/>: in Excel's 1900 system 1900-01-01 is 1
    /// (and day zero, 1899-12-31, is 0), before March 1900 one less than the days since 1899-12-30 because of the
    /// phantom 29 February; in the 1904 system the days since 1904-01-01; in OpenDocument the days since 1899-12-30
    /// (LibreOffice's default null date).
    /// </summary>
    public static double Serial(DateTime value, DateSystem system)
    {
        var epoch = system == DateSystem.Excel1904 ? Epoch1904 : Epoch1900;
        var days = (value.Date - epoch).Days;
        if (system == DateSystem.Excel1900 && days is >= 1 and <= 60)
        {
            days--;
        }

        return days + value.TimeOfDay.TotalDays;
    }

    public static string Date(DateTime value, bool withTime) =>
        RoundToSecond(value).ToString(withTime ? "yyyy-MM-dd'T'HH:mm:ss" : "yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>
    /// To the nearest second, as Excel shows a time: 15:59:59.9996 is 16:00:00 whether the workbook stores a serial
    /// number (.xlsx, .xls) or an ISO date-time (Strict .xlsx, .ods).
    /// </summary>
    public static DateTime RoundToSecond(DateTime value)
    {
        var ticks = (value.Ticks + (TimeSpan.TicksPerSecond / 2)) / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond;
        return ticks > DateTime.MaxValue.Ticks ? value : new DateTime(ticks, value.Kind);
    }

    /// <summary>
    /// A duration in days as an elapsed-time format shows it: the unit in brackets counts the whole duration, the
    /// others what is left ("[h]:mm:ss" of 1.5 is "36:00:00", "[mm]:ss" is "2160:00"); seconds are rounded to the
    /// decimals the format shows.
    /// </summary>
    public static string Elapsed(double days, string code)
    {
        // The units the code shows, in order, with their widths; everything else is copied as written.
        var parts = new List<(char Unit, int Width, bool Total, string Literal)>();
        var decimals = 0;
        for (var i = 0; i < code.Length; i++)
        {
            var c = code[i];
            switch (c)
            {
                case '[':
                    var end = code.IndexOf(']', i + 1);
                    var inside = end < 0 ? "" : code[(i + 1)..end].ToLowerInvariant();
                    if (inside.Length > 0 && inside.Trim('h', 'm', 's').Length == 0)
                    {
                        parts.Add((inside[0], inside.Length, true, ""));
                    }

                    i = end < 0 ? code.Length : end;
                    continue;
                case '"':
                    var close = code.IndexOf('"', i + 1);
                    parts.Add(('\0', 0, false, close < 0 ? code[(i + 1)..] : code[(i + 1)..close]));
                    i = close < 0 ? code.Length : close;
                    continue;
                case '\\' when i + 1 < code.Length:
                    parts.Add(('\0', 0, false, code[++i].ToString()));
                    continue;
                case '_' or '*':
                    i++;
                    continue;
                case '.' when i + 1 < code.Length && code[i + 1] == '0':
                    while (i + 1 < code.Length && code[i + 1] == '0')
                    {
                        decimals++;
                        i++;
                    }

                    continue;
            }

            var lower = char.ToLowerInvariant(c);
            if (lower is 'h' or 'm' or 's')
            {
                var width = 1;
                while (i + 1 < code.Length && char.ToLowerInvariant(code[i + 1]) == lower)
                {
                    width++;
                    i++;
                }

                parts.Add((lower, width, false, ""));
            }
            else
            {
                parts.Add(('\0', 0, false, c.ToString()));
            }
        }

        decimals = Math.Min(decimals, 3);
        var scale = Math.Pow(10, decimals);
        var total = Math.Round(Math.Abs(days) * 86400 * scale) / scale;
        var totalUnit = parts.FirstOrDefault(p => p.Total).Unit;
        var builder = new System.Text.StringBuilder(days < 0 && total > 0 ? "-" : "");
        foreach (var (unit, width, isTotal, literal) in parts)
        {
            if (unit == '\0')
            {
                builder.Append(literal);
                continue;
            }

            var whole = Math.Floor(total);
            var value = unit switch
            {
                'h' => Math.Floor(whole / 3600),
                'm' => totalUnit == 'h' || (totalUnit != 'm' && parts.Any(p => p.Unit == 'h')) ? Math.Floor(whole / 60) % 60 : Math.Floor(whole / 60),
                _ => totalUnit == 's' ? whole : whole % 60,
            };
            if (unit == 'h' && !isTotal && totalUnit != 'h')
            {
                value %= 24;
            }

            builder.Append(((long)value).ToString(new string('0', width), CultureInfo.InvariantCulture));
            if (unit == 's' && decimals > 0)
            {
                var fraction = (long)Math.Round((total - whole) * scale);
                builder.Append('.').Append(fraction.ToString(new string('0', decimals), CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

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
