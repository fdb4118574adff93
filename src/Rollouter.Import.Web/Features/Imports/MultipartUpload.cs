using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Rollouter.Import.Importing.Files;

namespace Rollouter.Import.Web.Features.Imports;

/// <summary>
/// A multipart upload read section by section, for the upload page and the API alike: the part named <c>file</c> is
/// streamed into a <see cref="ReceivedUpload"/> (size-limited, never buffered), the text fields asked for are read,
/// every other part is skipped. Disposing deletes the received file. A body that is not a multipart body after all (it
/// breaks off before its closing boundary, a part's headers are too long, the boundary is longer than the 70 characters
/// RFC 2046 allows) is the client's mistake: a <see cref="Problem"/> (400), never an exception. A client that goes away
/// mid-upload ends the read with an <see cref="OperationCanceledException"/> (which the app answers as 499, not as an
/// error of its own: <see cref="Infrastructure.ClientGoneFilter"/>).
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

    /// <summary>The upload was refused while reading it (a file too large, a body that is not multipart); reading stopped there.</summary>
    public Problem? Problem { get; private set; }

    /// <summary>The text fields read before the end (or before the problem).</summary>
    public IReadOnlyDictionary<string, string> Fields => fields;

    /// <summary>The answer to a body that is not a multipart body after all.</summary>
    public const string NotMultipartMessage = "The upload is not a valid multipart body.";

    /// <summary>The longest boundary RFC 2046 allows.</summary>
    public const int MaxBoundaryLength = 70;

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
        if (boundary.Length > MaxBoundaryLength)
        {
            result.Problem = Problem.Invalid(NotMultipartMessage);
            return result;
        }

        // Everything below reads the request, except the file's writes while it is received: the file part is read through
        // RequestBodyStream, so that a read that fails there is told apart from a write that fails (a full disk: the server's).
        var receiving = false;
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
                    receiving = true;
                    var received = await uploads.ReceiveAsync(new RequestBodyStream(section.Body), cancellationToken);
                    receiving = false;
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
        catch (Exception e) when (IsTheBodys(e, receiving) && !cancellationToken.IsCancellationRequested)
        {
            result.Dispose();
            result.File = null;
            result.Problem = Problem.Invalid(NotMultipartMessage);
            return result;
        }
        catch (Exception e) when (IsTheBodys(e, receiving))
        {
            // The client went away (its request was aborted): nobody waits for an answer.
            result.Dispose();
            throw new OperationCanceledException("The client went away during the upload.", e, cancellationToken);
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    public void Dispose() => File?.Dispose();

    /// <summary>
    /// Whether reading the request failed (rather than writing the received file): MultipartReader says "Unexpected end of
    /// Stream" (an IOException) or "Line length limit exceeded" (InvalidDataException), Kestrel a body shorter than its
    /// Content-Length or a connection reset (IOExceptions).
    /// </summary>
    private static bool IsTheBodys(Exception e, bool receiving) =>
        e is MalformedBodyException or InvalidDataException || (e is IOException && !receiving);

    /// <summary>An exception of reading the request, told apart from one of writing the received file.</summary>
    private sealed class MalformedBodyException(Exception inner) : IOException(inner.Message, inner);

    /// <summary>A read-only view of a request stream whose read failures become <see cref="MalformedBodyException"/>.</summary>
    private sealed class RequestBodyStream(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            try
            {
                return inner.Read(buffer, offset, count);
            }
            catch (Exception e) when (e is (IOException or InvalidDataException) and not MalformedBodyException)
            {
                throw new MalformedBodyException(e);
            }
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                return await inner.ReadAsync(buffer, cancellationToken);
            }
            catch (Exception e) when (e is (IOException or InvalidDataException) and not MalformedBodyException)
            {
                throw new MalformedBodyException(e);
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
