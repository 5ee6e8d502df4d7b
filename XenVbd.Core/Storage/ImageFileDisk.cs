using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;

namespace XenVbd.Storage
{
    /// <summary>
    /// A raw disk image file: byte N of the disk is byte N of the file. Writable images are opened
    /// exclusively, as blkback opens its device, so two backends can never write one image; read-only
    /// images are shared with other readers but keep writers out.
    /// </summary>
    /// <remarks>
    /// Writes go to the OS page cache and <see cref="BlockStorage.Flush"/> forces them to the medium
    /// (fsync / FlushFileBuffers). Reads and writes allocate nothing. On Unix the lock is advisory
    /// (.NET takes it with flock), so it keeps out other lock-taking openers, not every program.
    /// </remarks>
    public sealed class ImageFileDisk : BlockStorage
    {
        /// <summary>1 EiB: beyond any file system, so the file system's own limit is the one users meet.</summary>
        public const long MaxSize = 1L << 60;

        private readonly ImageFile _file;
        private readonly int _logicalSectorSize;
        private readonly int _physicalSectorSize;
        private readonly bool _isReadOnly;
        private long _sizeBytes;

        private ImageFileDisk(ImageFile file, string path, long sizeBytes, int logicalSectorSize, int physicalSectorSize, bool readOnly)
        {
            _file = file;
            Path = path;
            _sizeBytes = sizeBytes;
            _logicalSectorSize = logicalSectorSize;
            _physicalSectorSize = physicalSectorSize;
            _isReadOnly = readOnly;
        }

        /// <summary>The full path of the image.</summary>
        public string Path { get; }

        public override long SizeBytes => _sizeBytes;

        public override int LogicalSectorSize => _logicalSectorSize;

        public override int PhysicalSectorSize => _physicalSectorSize;

        public override bool IsReadOnly => _isReadOnly;

        protected override long MaxSizeBytes => MaxSize;

        /// <summary>Opens an existing image; its length must be a positive multiple of the logical sector size.</summary>
        /// <param name="physicalSectorSize">0 means the same as <paramref name="logicalSectorSize"/>.</param>
        public static ImageFileDisk Open(string path, bool readOnly = false, int logicalSectorSize = 512, int physicalSectorSize = 0)
        {
            string fullPath = CheckArguments(path, logicalSectorSize, ref physicalSectorSize);
            ImageFile file = OpenLocked(fullPath, FileMode.Open, readOnly);
            try
            {
                long length = file.Length;
                if (length == 0 || length % logicalSectorSize != 0)
                {
                    throw new StorageException(StorageError.NotADiskImage,
                        $"'{fullPath}' is not a disk image: its length of {length} bytes is not a positive multiple of the {logicalSectorSize}-byte logical sector size.");
                }

                return new ImageFileDisk(file, fullPath, length, logicalSectorSize, physicalSectorSize, readOnly);
            }
            catch
            {
                file.Dispose();
                throw;
            }
        }

        /// <summary>Creates a sparse image of the given size, all zeros, and opens it for writing.</summary>
        /// <param name="overwrite">Replace an existing file rather than fail.</param>
        public static ImageFileDisk Create(string path, long sizeBytes, int logicalSectorSize = 512, int physicalSectorSize = 0, bool overwrite = false)
        {
            string fullPath = CheckArguments(path, logicalSectorSize, ref physicalSectorSize);
            DiskGeometry.ValidateSize(sizeBytes, logicalSectorSize, MaxSize);
            ImageFile file = OpenLocked(fullPath, overwrite ? FileMode.Create : FileMode.CreateNew, readOnly: false);
            try
            {
                // A failure to mark sparse only costs space, never correctness, so it is not an error.
                SparseFile.TryMarkSparse(file.Handle);
                file.SetLength(sizeBytes);
                return new ImageFileDisk(file, fullPath, sizeBytes, logicalSectorSize, physicalSectorSize, readOnly: false);
            }
            catch
            {
                file.Dispose();
                File.Delete(fullPath);
                throw;
            }
        }

        protected override void ReadCore(long byteOffset, Span<byte> destination) => _file.Read(byteOffset, destination);

        protected override void WriteCore(long byteOffset, ReadOnlySpan<byte> source) => _file.Write(byteOffset, source);

        /// <summary>A read-only image has nothing to make durable, and Windows refuses to flush a handle without write access.</summary>
        protected override void FlushCore()
        {
            if (!_isReadOnly)
            {
                _file.FlushToDisk();
            }
        }

        /// <summary>
        /// A plain discard deallocates the range when the file system can; a secure one overwrites it with
        /// zeros, since a hole may leave the old blocks readable on the medium.
        /// </summary>
        protected override void DiscardCore(long byteOffset, long length, bool secure)
        {
            if (length == 0 || (!secure && SparseFile.TryPunchHole(_file.Handle, byteOffset, length)))
            {
                return;
            }

            long end = byteOffset + length;
            while (byteOffset < end)
            {
                int count = (int)Math.Min(ZeroBytes.Buffer.Length, end - byteOffset);
                _file.Write(byteOffset, ZeroBytes.Buffer.AsSpan(0, count));
                byteOffset += count;
            }
        }

        protected override void ResizeCore(long newSizeBytes)
        {
            _file.SetLength(newSizeBytes);
            _sizeBytes = newSizeBytes;
        }

        protected override void DisposeCore() => _file.Dispose();

        private static string CheckArguments(string path, int logicalSectorSize, ref int physicalSectorSize)
        {
            if (string.IsNullOrWhiteSpace(path))
            {
                throw new ArgumentException("An image path is required.", nameof(path));
            }

            physicalSectorSize = DiskGeometry.ResolvePhysical(logicalSectorSize, physicalSectorSize);
            DiskGeometry.ValidateSectorSizes(logicalSectorSize, physicalSectorSize);
            return System.IO.Path.GetFullPath(path);
        }

        private static ImageFile OpenLocked(string fullPath, FileMode mode, bool readOnly)
        {
            try
            {
                return readOnly
                    ? ImageFile.Open(fullPath, mode, FileAccess.Read, FileShare.Read)
                    : ImageFile.Open(fullPath, mode, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException e) when (IsLockConflict(e))
            {
                throw LockedBy(fullPath, readOnly, ImageLockHolder.Find(fullPath), e);
            }
        }

        /// <summary>The ImageLocked error: who holds the image (when the lock can tell) and what to do about it.</summary>
        private static StorageException LockedBy(string fullPath, bool readOnly, IReadOnlyList<ImageLockHolder> holders, IOException e)
        {
            string how = readOnly ? " for writing" : string.Empty;
            string who = holders.Count == 0 ? "another opener" : string.Join(", ", holders);
            string message = $"'{fullPath}' is in use: {who} holds it{how}.";
            string action;
            if (holders.Count > 0 && holders.All(h => h.IsThisProcess))
            {
                action = "Another device of this session has the image open: remove that device first (Get-VbdDevice lists them, Remove-VbdDevice closes one), or give this device a different -ImagePath.";
            }
            else
            {
                string pids = holders.Count == 0 ? "the process that has it open" : "process " + string.Join(", ", holders.Select(h => h.ProcessId));
                action = $"Remove the device that uses the image in {pids} (Remove-VbdDevice), or end that process; or give this device a different -ImagePath."
                    + (readOnly ? string.Empty : " Several readers may share an image with -ReadOnly while no writer has it.");
            }

            return new StorageException(StorageError.ImageLocked, message, innerException: e, recommendedAction: action);
        }

        /// <summary>
        /// .NET reports a sharing conflict as a bare IOException; only its HResult tells it apart from other
        /// failures: the Win32 sharing or lock violation on Windows, the errno of a failed non-blocking flock on Unix.
        /// </summary>
        private static bool IsLockConflict(IOException e)
        {
            if (e is FileNotFoundException || e is DirectoryNotFoundException || e is PathTooLongException)
            {
                return false;
            }

            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                const int ErrorSharingViolation = 32;
                const int ErrorLockViolation = 33;
                int code = e.HResult & 0xFFFF;
                return (e.HResult & unchecked((int)0xFFFF0000)) == unchecked((int)0x80070000)
                    && (code == ErrorSharingViolation || code == ErrorLockViolation);
            }

            // EWOULDBLOCK is 11 on Linux and 35 on macOS and the BSDs.
            int ewouldblock = RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? 11 : 35;
            return e.HResult == ewouldblock;
        }
    }
}
