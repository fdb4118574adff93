using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Rollouter.Import.Data.Configurations;
using Rollouter.Import.Data.Entities;

namespace Rollouter.Import.Importing.Writing;

/// <summary>
/// Writes the two JSON columns the writer fills, byte for byte as <see cref="JsonColumns.Serialize{T}"/> would, with
/// one reused buffer: at a million rows the general serializer's per-call cost is a large share of the write.
/// </summary>
internal sealed class JsonText
{
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _writer;

    public JsonText()
    {
        _writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions
        {
            Encoder = JsonColumns.Options.Encoder ?? JavaScriptEncoder.Default,
            SkipValidation = true,
        });
    }

    public string Values(Dictionary<int, string[]> values)
    {
        Start();
        WriteValues(_writer, values);
        return Finish();
    }

    /// <summary>The same bytes as <see cref="Values"/>, appended to <paramref name="output"/>.</summary>
    public void Values(Dictionary<int, string[]> values, IBufferWriter<byte> output)
    {
        _direct ??= new Utf8JsonWriter(output, _writer.Options);
        _direct.Reset(output);
        WriteValues(_direct, values);
        _direct.Flush();
    }

    private Utf8JsonWriter? _direct;

    private static void WriteValues(Utf8JsonWriter writer, Dictionary<int, string[]> values)
    {
        Span<char> key = stackalloc char[11];
        writer.WriteStartObject();
        foreach (var (fieldId, value) in values)
        {
            fieldId.TryFormat(key, out var length, default, System.Globalization.CultureInfo.InvariantCulture);
            writer.WritePropertyName(key[..length]);
            writer.WriteStartArray();
            foreach (var item in value)
            {
                writer.WriteStringValue(item);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    public string Changes(List<FieldChange> changes)
    {
        Start();
        _writer.WriteStartArray();
        foreach (var change in changes)
        {
            _writer.WriteStartObject();
            _writer.WriteString(FieldProperty, change.Field);
            _writer.WriteString(OldProperty, change.Old);
            _writer.WriteString(NewProperty, change.New);
            if (change.OldValues is { } oldValues)
            {
                _writer.WriteStartArray(OldValuesProperty);
                foreach (var value in oldValues)
                {
                    _writer.WriteStringValue(value);
                }

                _writer.WriteEndArray();
            }

            if (change.FieldId is { } fieldId)
            {
                _writer.WriteNumber(FieldIdProperty, fieldId);
            }

            if (change.OldId is { } oldId)
            {
                _writer.WriteNumber(OldIdProperty, oldId);
            }

            if (change.OldOptionIds is { } oldOptionIds)
            {
                _writer.WriteStartArray(OldOptionIdsProperty);
                foreach (var id in oldOptionIds)
                {
                    _writer.WriteNumberValue(id);
                }

                _writer.WriteEndArray();
            }

            _writer.WriteEndObject();
        }

        _writer.WriteEndArray();
        return Finish();
    }

    private static readonly JsonEncodedText FieldProperty = JsonEncodedText.Encode("field");
    private static readonly JsonEncodedText OldProperty = JsonEncodedText.Encode("old");
    private static readonly JsonEncodedText NewProperty = JsonEncodedText.Encode("new");
    private static readonly JsonEncodedText OldValuesProperty = JsonEncodedText.Encode("oldValues");
    private static readonly JsonEncodedText FieldIdProperty = JsonEncodedText.Encode("fieldId");
    private static readonly JsonEncodedText OldIdProperty = JsonEncodedText.Encode("oldId");
    private static readonly JsonEncodedText OldOptionIdsProperty = JsonEncodedText.Encode("oldOptionIds");

    private void Start()
    {
        _buffer.ResetWrittenCount();
        _writer.Reset();
    }

    private string Finish()
    {
        _writer.Flush();
        return Encoding.UTF8.GetString(_buffer.WrittenSpan);
    }
}
