using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Rollouter.Import.Data;
using Rollouter.Import.Importing.Files;
using Rollouter.Import.Importing.Reading;

namespace Rollouter.Import.Tests.Infrastructure;

/// <summary>
/// A disk that can be made full: while <see cref="Full"/>, each file <see cref="Create"/> opens takes <see cref="Room"/>
/// bytes and then refuses every write as Linux does when no space is left (an IOException with HResult ENOSPC, 28), so
/// a half-written file is left on the real disk for the code under test to remove.
/// </summary>
public sealed class FullDisk
{
    public const int Room = 16;

    private volatile bool _full;

    public bool Full
    {
        get => _full;
        set => _full = value;
    }

    /// <summary>The exception a write meets on a full disk.</summary>
    public static IOException NoSpace() => new("No space left on device", 28);

    public Stream Create(string path)
    {
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
        return Full ? new FillingStream(file) : file;
    }

    /// <summary>Writes through to the file until it holds <see cref="Room"/> bytes, then fails.</summary>
    private sealed class FillingStream(FileStream inner) : Stream
    {
        private long _written;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            var fits = (int)Math.Min(buffer.Length, Room - _written);
            inner.Write(buffer[..fits]);
            _written += fits;
            if (fits < buffer.Length)
            {
                throw NoSpace();
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var fits = (int)Math.Min(buffer.Length, Room - _written);
            await inner.WriteAsync(buffer[..fits], cancellationToken);
            _written += fits;
            if (fits < buffer.Length)
            {
                throw NoSpace();
            }
        }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync();
            await base.DisposeAsync();
        }
    }
}

/// <summary>The web app on SQLite whose uploads and cached copies of imports' files are written to a <see cref="FullDisk"/>.</summary>
public sealed class FullDiskWebFactory : RolloutWebFactory
{
    public FullDisk Disk { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton(sp => new ImportUploads(Path.Combine(DataFolder, "uploads"),
                sp.GetRequiredService<ReaderLimits>(), createFile: Disk.Create));
            services.AddScoped(sp => new ImportFileStore(sp.GetRequiredService<RolloutDbContext>(),
                Path.Combine(DataFolder, "import-cache"), createFile: Disk.Create));
        });
    }
}
