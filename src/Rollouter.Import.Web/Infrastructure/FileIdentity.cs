using System.Runtime.InteropServices;
using System.Text;

namespace Rollouter.Import.Web.Infrastructure;

/// <summary>
/// Which file is at a path: its device and inode, and its size (decision 0140). .NET tells neither device nor inode,
/// so on Linux they come from <c>statx</c> (glibc 2.28 and later, musl 1.2.5 and later), whose layout is the same on
/// every processor; one call, as cheap as <see cref="File.Exists(string)"/> (about a microsecond, docs/performance.md).
/// Elsewhere (Windows, macOS), or where <c>statx</c> cannot be called (an old C library, a container that forbids it),
/// only whether the file is there and its size are known (<see cref="Device"/> and <see cref="Inode"/> are 0).
/// </summary>
public readonly record struct FileIdentity(ulong Device, ulong Inode, long Size)
{
    /// <summary>Whether device and inode are known, so that a file put in place of another is told from it.</summary>
    public bool Known => Inode != 0;

    /// <summary>The same file as <paramref name="other"/>: the same device and inode (always, when either is unknown).</summary>
    public bool SameFileAs(FileIdentity other) => !Known || !other.Known || Device == other.Device && Inode == other.Inode;

    private const int AtFdCwd = -100;

    /// <summary>STATX_INO | STATX_SIZE (the device is always given).</summary>
    private const uint StatxInodeAndSize = 0x100 | 0x200;

    private const int ErrorNoEntry = 2, ErrorNotDirectory = 20;

    /// <summary>struct statx: 256 bytes, stx_ino at 32, stx_size at 40, stx_dev_major at 136, stx_dev_minor at 140.</summary>
    private const int StatxSize = 256;

    private static volatile bool s_statxFailed = !OperatingSystem.IsLinux();

    [ThreadStatic]
    private static byte[]? t_buffer;

    /// <summary>The file at <paramref name="path"/> (a full path), or null when there is none.</summary>
    public static FileIdentity? Of(string path)
    {
        if (!s_statxFailed)
        {
            try
            {
                var buffer = t_buffer ??= new byte[StatxSize];
                if (NativeMethods.statx(AtFdCwd, Utf8(path), 0, StatxInodeAndSize, buffer) == 0)
                {
                    var device = ((ulong)BitConverter.ToUInt32(buffer, 136) << 32) | BitConverter.ToUInt32(buffer, 140);
                    return new FileIdentity(device, BitConverter.ToUInt64(buffer, 32), (long)BitConverter.ToUInt64(buffer, 40));
                }

                var error = Marshal.GetLastPInvokeError();
                if (error is ErrorNoEntry or ErrorNotDirectory)
                {
                    return null;
                }

                // ENOSYS, EPERM (a seccomp profile), EACCES: asked the plain way below; statx no more when it is not there.
                s_statxFailed = error is 38 or 1;
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                s_statxFailed = true;
            }
        }

        var info = new FileInfo(path);
        return info.Exists ? new FileIdentity(0, 0, info.Length) : null;
    }

    private sealed record Utf8Path(string Path, byte[] Bytes);

    private static volatile Utf8Path? s_last;

    /// <summary>The path as C wants it (UTF-8, ending in a zero byte); the app asks for one path, so it is made once.</summary>
    private static byte[] Utf8(string path)
    {
        if (s_last is { } last && string.Equals(last.Path, path, StringComparison.Ordinal))
        {
            return last.Bytes;
        }

        var made = new Utf8Path(path, Encoding.UTF8.GetBytes(path + "\0"));
        s_last = made;
        return made.Bytes;
    }

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int statx(int dirfd, byte[] pathname, int flags, uint mask, byte[] statxbuf);
    }
}
