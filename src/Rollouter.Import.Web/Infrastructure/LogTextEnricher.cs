using System.Globalization;
using System.Text;
using Serilog.Core;
using Serilog.Events;

namespace Rollouter.Import.Web.Infrastructure;

/// <summary>
/// Escapes what could forge or hide a log line in the text a user typed or sent (an email at sign-in, a file name, a
/// header): line breaks and every other control character, Unicode's line and paragraph separators, and the format
/// characters that reorder or hide text (bidirectional overrides, zero-width characters). The file's template writes
/// strings as they are (<c>{Message:lj}</c>), so "evil\n2026-12-05 … [ERR] Forged" would otherwise be a second line.
/// Each is written as <c>\n</c>, <c>\r</c>, <c>\t</c> or <c>\uXXXX</c>; text without them is left untouched.
/// </summary>
public sealed class LogTextEnricher : ILogEventEnricher
{
    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        List<LogEventProperty>? escaped = null;
        foreach (var (name, value) in logEvent.Properties)
        {
            if (Escape(value) is { } safe)
            {
                (escaped ??= []).Add(new LogEventProperty(name, safe));
            }
        }

        foreach (var property in escaped ?? [])
        {
            logEvent.AddOrUpdateProperty(property);
        }
    }

    /// <summary>The value with its texts escaped, or null when nothing in it needs escaping.</summary>
    private static LogEventPropertyValue? Escape(LogEventPropertyValue value) => value switch
    {
        ScalarValue { Value: string text } when NeedsEscaping(text) => new ScalarValue(Escape(text)),
        SequenceValue sequence when sequence.Elements.Any(e => Escape(e) is not null) =>
            new SequenceValue(sequence.Elements.Select(e => Escape(e) ?? e)),
        StructureValue structure when structure.Properties.Any(p => Escape(p.Value) is not null) =>
            new StructureValue(structure.Properties.Select(p => Escape(p.Value) is { } safe ? new LogEventProperty(p.Name, safe) : p),
                structure.TypeTag),
        _ => null,
    };

    private static bool NeedsEscaping(string text)
    {
        foreach (var c in text)
        {
            if (IsUnsafe(c))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsUnsafe(char c) => char.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format
        or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;

    private static string Escape(string text)
    {
        var safe = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            _ = c switch
            {
                '\n' => safe.Append("\\n"),
                '\r' => safe.Append("\\r"),
                '\t' => safe.Append("\\t"),
                _ when IsUnsafe(c) => safe.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture)),
                _ => safe.Append(c),
            };
        }

        return safe.ToString();
    }
}
