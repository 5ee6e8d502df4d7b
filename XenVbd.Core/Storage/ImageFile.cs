using System;
using System.IO;
using Microsoft.Win32.SafeHandles;

namespace XenVbd.Storage
{
    /// <summary>
    /// Positional, unbuffered file I/O that allocates nothing per call. On .NET it is a thin layer over
    /// <c>RandomAccess</c>; netstandard2.0 lacks that and span-based stream I/O, so there it seeks a
    /// FileStream and copies through one scratch buffer made at open.
    /// </summary>
    internal sealed class ImageFile : IDisposable
    {
#if NET
        private readonly SafeFileHandle _handle;

        private ImageFile(SafeFileHandle handle)
        {
            _handle = handle;
        }

        public SafeFileHandle Handle => _handle;

        public long Length => RandomAccess.GetLength(_handle);

        public static ImageFile Open(string path, FileMode mode, FileAccess access, FileShare share) =>
            new ImageFile(File.OpenHandle(path, mode, access, share, FileOptions.None));

        public void Read(long offset, Span<byte> destination)
        {
            while (!destination.IsEmpty)
            {
                int read = RandomAccess.Read(_handle, destination, offset);
                if (read == 0)
                {
                    ZeroPastEndOfFile(destination);
                    return;
                }

                destination = destination.Slice(read);
                offset += read;
            }
        }

        public void Write(long offset, ReadOnlySpan<byte> source) => RandomAccess.Write(_handle, source, offset);

        public void FlushToDisk() => RandomAccess.FlushToDisk(_handle);

        public void SetLength(long length) => RandomAccess.SetLength(_handle, length);

        public void Dispose() => _handle.Dispose();
#else
        private const int ScratchSize = 64 * 1024;

        private readonly FileStream _stream;
        private readonly byte[] _scratch = new byte[ScratchSize];

        private ImageFile(FileStream stream)
        {
            _stream = stream;
        }

        public SafeFileHandle Handle => _stream.SafeFileHandle;

        public long Length => _stream.Length;

        /// <summary>A buffer size of 1 turns FileStream's own buffering off: the disk model must see every write.</summary>
        public static ImageFile Open(string path, FileMode mode, FileAccess access, FileShare share) =>
            new ImageFile(new FileStream(path, mode, access, share, 1, FileOptions.None));

        public void Read(long offset, Span<byte> destination)
        {
            _stream.Seek(offset, SeekOrigin.Begin);
            while (!destination.IsEmpty)
            {
                int read = _stream.Read(_scratch, 0, Math.Min(ScratchSize, destination.Length));
                if (read == 0)
                {
                    ZeroPastEndOfFile(destination);
                    return;
                }

                _scratch.AsSpan(0, read).CopyTo(destination);
                destination = destination.Slice(read);
            }
        }

        public void Write(long offset, ReadOnlySpan<byte> source)
        {
            _stream.Seek(offset, SeekOrigin.Begin);
            while (!source.IsEmpty)
            {
                int count = Math.Min(ScratchSize, source.Length);
                source.Slice(0, count).CopyTo(_scratch);
                _stream.Write(_scratch, 0, count);
                source = source.Slice(count);
            }
        }

        public void FlushToDisk() => _stream.Flush(true);

        public void SetLength(long length) => _stream.SetLength(length);

        public void Dispose() => _stream.Dispose();
#endif

        /// <summary>
        /// The image is locked, but the lock is advisory on Unix: if something else shortened the file,
        /// the missing part reads as zeros, as a hole would, rather than failing the guest's I/O.
        /// </summary>
        private static void ZeroPastEndOfFile(Span<byte> rest) => rest.Clear();
    }
}
