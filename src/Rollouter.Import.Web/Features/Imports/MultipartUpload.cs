using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Rollouter.Import.Importing.Files;

namespace Rollouter.Import.Web.Features.Imports;

/// <summary>
/// A multipart upload read section by section, for the upload page and the API alike: the part named <c>file</c> is
/// streamed into a <see cref="ReceivedUpload"/> (size-limited, never buffered), the text fields asked for are read,
/// every other part is skipped. Disposing deletes the received file.
/// </summary>
public sealed class MultipartUpload : IDisposable
{
    private readonly Dictionary<string, string> fields = new(StringComparer.Ordinal);

    private MultipartUpload()
    {
    }

    /// <summary>The received file; null when no file part came (or, with a problem, none was kept).</summary>
    public ReceivedUpload? File { get; private set; }

    /// <summary>The file part's name as the client sent it.</summary>
    public string? FileName { get; private set; }

    /// <summary>The file was refused (too large) while receiving it; reading stopped there.</summary>
    public Problem? Problem { get; private set; }

    /// <summary>The text fields read before the end (or before the problem).</summary>
    public IReadOnlyDictionary<string, string> Fields => fields;

    /// <summary>The boundary of a multipart content type; null when the request is not multipart.</summary>
    public static string? Boundary(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
        && HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value is { Length: > 0 } boundary
            ? boundary
            : null;

    /// <summary>
    /// Reads <paramref name="body"/>. <paramref name="skipEmptyFile"/>: a file part without a file name (what a browser
    /// sends when no file was chosen) is drained instead of received.
    /// </summary>
    public static async Task<MultipartUpload> ReadAsync(Stream body, string boundary, ImportUploads uploads,
        IReadOnlyCollection<string> fieldNames, bool skipEmptyFile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uploads);
        ArgumentNullException.ThrowIfNull(fieldNames);
        var result = new MultipartUpload();
        try
        {
            var reader = new MultipartReader(boundary, body);
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
                {
                    continue;
                }

                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value;
                if (disposition.IsFileDisposition() && name == "file")
                {
                    var fileName = disposition.FileNameStar.HasValue
                        ? disposition.FileNameStar.Value
                        : HeaderUtilities.RemoveQuotes(disposition.FileName).Value;
                    if (skipEmptyFile && string.IsNullOrEmpty(fileName))
                    {
                        await section.Body.CopyToAsync(Stream.Null, cancellationToken);
                        continue;
                    }

                    result.File?.Dispose();
                    result.File = null;
                    result.FileName = fileName;
                    var received = await uploads.ReceiveAsync(section.Body, cancellationToken);
                    if (received.Failed)
                    {
                        result.Problem = received.Problem;
                        return result;
                    }

                    result.File = received.Value;
                }
                else if (name is not null && fieldNames.Contains(name))
                {
                    using var text = new StreamReader(section.Body);
                    result.fields[name] = await text.ReadToEndAsync(cancellationToken);
                }
                else
                {
                    await section.Body.CopyToAsync(Stream.Null, cancellationToken);
                }
            }

            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    public void Dispose() => File?.Dispose();
}
