using System;

namespace XenVbd.Storage
{
    /// <summary>
    /// Holds what every disk shares: argument checks, the per-instance lock and the counters. Subclasses
    /// implement the <c>...Core</c> methods and may assume the range is valid, aligned and writable.
    /// </summary>
    public abstract class BlockStorage : IBlockStorage
    {
        private readonly object _sync = new object();
        private long _reads;
        private long _writes;
        private long _bytesRead;
        private long _bytesWritten;
        private long _flushes;
        private long _discards;
        private long _bytesDiscarded;
        private bool _disposed;

        public abstract long SizeBytes { get; }

        public abstract int LogicalSectorSize { get; }

        public abstract int PhysicalSectorSize { get; }

        public abstract bool IsReadOnly { get; }

        public StorageStatistics Statistics
        {
            get
            {
                lock (_sync)
                {
                    return new StorageStatistics(_reads, _writes, _bytesRead, _bytesWritten, _flushes, _discards, _bytesDiscarded);
                }
            }
        }

        /// <summary>Lets subclasses run their own public operations under the same lock as I/O.</summary>
        protected object SyncRoot => _sync;

        public void Read(long byteOffset, Span<byte> destination)
        {
            lock (_sync)
            {
                ThrowIfDisposed();
                CheckRange("Read", byteOffset, destination.Length);
                ReadCore(byteOffset, destination);
                _reads++;
                _bytesRead += destination.Length;
            }
        }

        public void Write(long byteOffset, ReadOnlySpan<byte> source)
        {
            lock (_sync)
            {
                ThrowIfDisposed();
                CheckWritable("Write");
                CheckRange("Write", byteOffset, source.Length);
                WriteCore(byteOffset, source);
                _writes++;
                _bytesWritten += source.Length;
            }
        }

        public void ReadScatter(long byteOffset, ReadOnlySpan<MemoryRegion> destinations)
        {
            lock (_sync)
            {
                ThrowIfDisposed();
                long length = CheckVector("Read", byteOffset, destinations);
                ReadScatterCore(byteOffset, destinations);
                _reads++;
                _bytesRead += length;
            }
        }

        public void WriteGather(long byteOffset, ReadOnlySpan<MemoryRegion> sources)
        {
            lock (_sync)
            {
                ThrowIfDisposed();
                CheckWritable("Write");
                long length = CheckVector("Write", byteOffset, sources);
                WriteGatherCore(byteOffset, sources);
                _writes++;
                _bytesWritten += length;
            }
        }

        public void Flush()
        {
            lock (_sync)
            {
                ThrowIfDisposed();
                FlushCore();
                _flushes++;
            }
        }

        public void Discard(long byteOffset, long length, bool secure)
        {
            lock (_sync)
            {
                ThrowIfDisposed();
                CheckWritable("Discard");
                CheckRange("Discard", byteOffset, length);
                DiscardCore(byteOffset, length, secure);
                _discards++;
                _bytesDiscarded += length;
            }
        }

        public void Resize(long newSizeBytes)
        {
            lock (_sync)
            {
                ThrowIfDisposed();
                CheckWritable("Resize");
                DiskGeometry.ValidateSize(newSizeBytes, LogicalSectorSize, MaxSizeBytes);
                if (newSizeBytes != SizeBytes)
                {
                    ResizeCore(newSizeBytes);
                }
            }
        }

        public void Dispose()
        {
            lock (_sync)
            {
                if (_disposed)
                {
                    return;
                }

                _disposed = true;
                DisposeCore();
            }
        }

        /// <summary>The largest size <see cref="Resize"/> accepts for this kind of disk.</summary>
        protected abstract long MaxSizeBytes { get; }

        protected abstract void ReadCore(long byteOffset, Span<byte> destination);

        protected abstract void WriteCore(long byteOffset, ReadOnlySpan<byte> source);

        /// <summary>Called under the lock with the whole range checked; a disk with a faster path overrides it.</summary>
        protected virtual void ReadScatterCore(long byteOffset, ReadOnlySpan<MemoryRegion> destinations)
        {
            foreach (var region in destinations)
            {
                ReadCore(byteOffset, region.Span);
                byteOffset += region.Length;
            }
        }

        protected virtual void WriteGatherCore(long byteOffset, ReadOnlySpan<MemoryRegion> sources)
        {
            foreach (var region in sources)
            {
                WriteCore(byteOffset, region.Span);
                byteOffset += region.Length;
            }
        }

        protected abstract void FlushCore();

        protected abstract void DiscardCore(long byteOffset, long length, bool secure);

        protected abstract void ResizeCore(long newSizeBytes);

        protected abstract void DisposeCore();

        protected void ThrowIfDisposed()
        {
            if (_disposed)
            {
                throw new ObjectDisposedException(GetType().Name);
            }
        }

        /// <summary>Checks a range against the current size and sector size; for subclasses' own range operations.</summary>
        protected void CheckRange(string operation, long byteOffset, long length)
        {
            long size = SizeBytes;
            if (byteOffset < 0 || length < 0 || byteOffset > size || length > size - byteOffset)
            {
                throw new StorageException(StorageError.OutOfRange,
                    $"{operation} of {length} bytes at byte offset {byteOffset} does not fit in the {size}-byte disk.", byteOffset);
            }

            int sector = LogicalSectorSize;
            if (byteOffset % sector != 0 || length % sector != 0)
            {
                throw new StorageException(StorageError.Misaligned,
                    $"{operation} of {length} bytes at byte offset {byteOffset} is not aligned to the {sector}-byte logical sector size.", byteOffset);
            }
        }

        /// <summary>Checks every region's alignment and the whole range; returns the total length.</summary>
        private long CheckVector(string operation, long byteOffset, ReadOnlySpan<MemoryRegion> regions)
        {
            int sector = LogicalSectorSize;
            long length = 0;
            foreach (var region in regions)
            {
                if (region.Length % sector != 0)
                {
                    throw new StorageException(StorageError.Misaligned,
                        $"{operation} of a {region.Length}-byte region at byte offset {byteOffset + length} is not a whole number of {sector}-byte logical sectors.", byteOffset + length);
                }
                length += region.Length;
            }
            CheckRange(operation, byteOffset, length);
            return length;
        }

        private void CheckWritable(string operation)
        {
            if (IsReadOnly)
            {
                throw new StorageException(StorageError.ReadOnly, $"{operation} refused: the disk is read-only.");
            }
        }
    }
}
