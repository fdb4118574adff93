using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Rollouter.Import.Importing.Files;

namespace Rollouter.Import.Web.Features.Imports;

/// <summary>
/// A multipart upload read section by section, for the upload page and the API alike: the part named <c>file</c> is
/// streamed into a <see cref="ReceivedUpload"/> (size-limited, never buffered), the text fields asked for are read,
/// every other text part is skipped, and a file in a part of another name refuses the upload (400); no part but the file may pass 4 KB, the whole body the upload limit, chunked or not. Disposing deletes the received file. A body that is not a multipart body after all (it
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

    /// <summary>
    /// The first part was not the field <see cref="FirstField"/> asked for, or its check said no: nothing after it was
    /// read (the page's antiforgery token, checked before the rest of the body is looked at).
    /// </summary>
    public bool Rejected { get; private set; }

    /// <summary>The text fields read before the end (or before the problem).</summary>
    public IReadOnlyDictionary<string, string> Fields => fields;

    /// <summary>The answer to a body that is not a multipart body after all.</summary>
    public const string NotMultipartMessage = "The upload is not a valid multipart body.";

    /// <summary>The answer to a second file in one upload.</summary>
    public const string SecondFileMessage = "The upload holds more than one file; send one file per import.";

    /// <summary>
    /// The answer to a file sent in a part not named <c>file</c> (<c>-F other=@b.csv</c>): refused rather than ignored,
    /// so that the file imported is never another than the one meant.
    /// </summary>
    public const string MisnamedFileMessage =
        "The upload holds a file in a part not named \"file\"; send one file per import, in the part named \"file\".";

    /// <summary>The longest boundary RFC 2046 allows.</summary>
    public const int MaxBoundaryLength = 70;

    /// <summary>The most a part other than the file may hold; a form field (an id, a token) is far shorter.</summary>
    public const int MaxFieldBytes = 4 * 1024;

    /// <summary>The most parts an upload may have; the form has three (token, inventory, file).</summary>
    public const int MaxSections = 16;

    /// <summary>The answer to a form field longer than <see cref="MaxFieldBytes"/>.</summary>
    public static string FieldTooLongMessage(string? name) => name is null
        ? "A part of the upload other than the file is longer than 4 KB."
        : $"The form field {name} is longer than 4 KB.";

    /// <summary>The answer to an upload of more than <see cref="MaxSections"/> parts.</summary>
    public static readonly string TooManySectionsMessage =
        $"The upload has more than {MaxSections} parts; send the inventory and one file.";

    /// <summary>A field that must come first, checked before anything after it is read (the page's antiforgery token).</summary>
    public sealed record FirstField(string Name, Func<string, Task<bool>> IsValid);

    /// <summary>The boundary of a multipart content type; null when the request is not multipart.</summary>
    public static string? Boundary(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
        && HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value is { Length: > 0 } boundary
            ? boundary
            : null;

    /// <summary>
    /// Reads <paramref name="body"/>. <paramref name="skipEmptyFile"/>: a file part without a file name (what a browser
    /// sends when no file was chosen) is drained instead of received. <paramref name="firstField"/>: the field the body
    /// must start with, checked before the rest is read. Bounded whether or not the request declared its length: at most
    /// <see cref="ImportUploads.MaxRequestBytes"/> in all (413 beyond, as for a file too large), <see cref="MaxFieldBytes"/>
    /// a part other than the file, <see cref="MaxSections"/> parts and one file (400 beyond).
    /// </summary>
    public static async Task<MultipartUpload> ReadAsync(Stream body, string boundary, ImportUploads uploads,
        IReadOnlyCollection<string> fieldNames, bool skipEmptyFile, FirstField? firstField, CancellationToken cancellationToken)
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
            var reader = new MultipartReader(boundary, new CountedBodyStream(body, uploads.MaxRequestBytes));
            var sections = 0;
            var files = 0;
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (++sections > MaxSections)
                {
                    return result.Refuse(Problem.Invalid(TooManySectionsMessage));
                }

                ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition);
                var name = disposition is null ? null : HeaderUtilities.RemoveQuotes(disposition.Name).Value;
                if (firstField is not null && sections == 1)
                {
                    // Nothing but the expected field is read before its check: a body without it is refused unread.
                    if (name != firstField.Name || disposition?.IsFileDisposition() != false
                        || await ReadFieldAsync(section.Body, cancellationToken) is not { } value
                        || !await firstField.IsValid(value))
                    {
                        result.Rejected = true;
                        return result;
                    }

                    continue;
                }

                if (disposition is not null && disposition.IsFileDisposition())
                {
                    var fileName = disposition.FileNameStar.HasValue
                        ? disposition.FileNameStar.Value
                        : HeaderUtilities.RemoveQuotes(disposition.FileName).Value;
                    if (skipEmptyFile && string.IsNullOrEmpty(fileName))
                    {
                        // Counted against the whole body's limit, as everything is.
                        await section.Body.CopyToAsync(Stream.Null, cancellationToken);
                        continue;
                    }

                    if (name != "file")
                    {
                        // Any file but the one named "file" is refused, before or after it: never silently left out.
                        return result.Refuse(Problem.Invalid(MisnamedFileMessage));
                    }

                    if (++files > 1)
                    {
                        return result.Refuse(Problem.Invalid(SecondFileMessage));
                    }

                    result.FileName = fileName;
                    receiving = true;
                    var received = await uploads.ReceiveAsync(new RequestBodyStream(section.Body), cancellationToken);
                    receiving = false;
                    if (received.Failed)
                    {
                        return result.Refuse(received.Problem);
                    }

                    result.File = received.Value;
                }
                else
                {
                    var known = name is not null && fieldNames.Contains(name);
                    if (await ReadFieldAsync(section.Body, cancellationToken) is not { } value)
                    {
                        return result.Refuse(Problem.Invalid(FieldTooLongMessage(known ? name : null)));
                    }

                    if (known && name is not null)
                    {
                        result.fields[name] = value;
                    }
                }
            }

            return result;
        }
        catch (RequestTooLargeException)
        {
            receiving = false;
            return result.Refuse(uploads.TooLarge());
        }
        catch (Exception e) when (IsTheBodys(e, receiving) && !cancellationToken.IsCancellationRequested)
        {
            return result.Refuse(Problem.Invalid(NotMultipartMessage));
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

    /// <summary>Stops the read with <paramref name="problem"/>: no file is kept.</summary>
    private MultipartUpload Refuse(Problem problem)
    {
        Dispose();
        File = null;
        Problem = problem;
        return this;
    }

    /// <summary>A part's text, read up to <see cref="MaxFieldBytes"/>; null when the part is longer (the rest unread).</summary>
    private static async Task<string?> ReadFieldAsync(Stream section, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxFieldBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await section.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
        }

        if (length > MaxFieldBytes)
        {
            return null;
        }

        // As a StreamReader reads it: UTF-8, a byte order mark dropped.
        var text = buffer.AsSpan(0, length);
        return Encoding.UTF8.GetString(text.StartsWith(Encoding.UTF8.Preamble) ? text[Encoding.UTF8.Preamble.Length..] : text);
    }

    public void Dispose() => File?.Dispose();

    /// <summary>
    /// Whether reading the request failed (rather than writing the received file): MultipartReader says "Unexpected end of
    /// Stream" (an IOException) or "Line length limit exceeded" (InvalidDataException), Kestrel a body shorter than its
    /// Content-Length or a connection reset (IOExceptions).
    /// </summary>
    private static bool IsTheBodys(Exception e, bool receiving) =>
        e is MalformedBodyException or InvalidDataException || (e is IOException && !receiving);

    /// <summary>The request body passed <see cref="ImportUploads.MaxRequestBytes"/> (not an IOException: never "not multipart").</summary>
    private sealed class RequestTooLargeException() : Exception("The upload is larger than this installation accepts.");

    /// <summary>
    /// The request body, counted as it is read: past <paramref name="max"/> bytes a read throws
    /// <see cref="RequestTooLargeException"/>, so a body without a declared length (chunked) is as bounded as one with it.
    /// </summary>
    private sealed class CountedBodyStream(Stream inner, long max) : ReadOnlyStream
    {
        private long total;

        public override int Read(byte[] buffer, int offset, int count) => Counted(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Counted(await inner.ReadAsync(buffer, cancellationToken));

        private int Counted(int read)
        {
            total += read;
            return total > max ? throw new RequestTooLargeException() : read;
        }
    }

    /// <summary>A view of the request body that is only read, forward.</summary>
    private abstract class ReadOnlyStream : Stream
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

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>An exception of reading the request, told apart from one of writing the received file.</summary>
    private sealed class MalformedBodyException(Exception inner) : IOException(inner.Message, inner);

    /// <summary>A read-only view of a request stream whose read failures become <see cref="MalformedBodyException"/>.</summary>
    private sealed class RequestBodyStream(Stream inner) : ReadOnlyStream
    {
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
    }
}
