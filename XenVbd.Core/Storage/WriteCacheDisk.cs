using System;
using System.Collections.Generic;

namespace XenVbd.Storage
{
    /// <summary>
    /// A volatile write-back cache in front of another disk, as a drive's DRAM cache or a host page cache
    /// behaves: a write is visible to reads at once but reaches the inner disk only on <see cref="BlockStorage.Flush"/>.
    /// <see cref="PowerCut"/> loses every write since the last flush, which is what crash-consistency tests
    /// need: after it, only flushed data may be found.
    /// </summary>
    /// <remarks>
    /// <para>Allocation: lines are recycled after each flush or power cut, so a steady workload allocates
    /// nothing. A write allocates only when more distinct 64 KiB lines are dirty at once than ever before
    /// (or than <c>preallocatedLines</c>); size that for the workload to keep the I/O path allocation-free.</para>
    /// <para>Discards bypass the cache: they drop cached sectors in the range and go straight to the inner
    /// disk, so a discard is durable at once. Dispose does not write back; flush first for an orderly close.</para>
    /// </remarks>
    public sealed class WriteCacheDisk : BlockStorageDecorator
    {
        public const int LineSize = 64 * 1024;

        private const int LineShift = 16;
        private const long LineMask = LineSize - 1;

        private readonly Dictionary<long, CacheLine> _lines;
        private readonly Stack<CacheLine> _free;
        private long _dirtySectors;

        public WriteCacheDisk(IBlockStorage inner, int preallocatedLines = 16, bool ownsInner = true)
            : base(inner, ownsInner)
        {
            if (preallocatedLines < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(preallocatedLines), preallocatedLines, "The number of preallocated cache lines cannot be negative.");
            }

            _lines = new Dictionary<long, CacheLine>(preallocatedLines);
            _free = new Stack<CacheLine>(preallocatedLines);
            for (int i = 0; i < preallocatedLines; i++)
            {
                _free.Push(NewLine());
            }
        }

        /// <summary>Bytes written since the last flush that a power cut would lose.</summary>
        public long DirtyBytes
        {
            get
            {
                lock (SyncRoot)
                {
                    return _dirtySectors * LogicalSectorSize;
                }
            }
        }

        /// <summary>Drops every unflushed write, as losing power drops a volatile cache. The inner disk is untouched.</summary>
        public void PowerCut()
        {
            lock (SyncRoot)
            {
                ThrowIfDisposed();
                RecycleAll();
            }
        }

        protected override void ReadCore(long byteOffset, Span<byte> destination)
        {
            if (_lines.Count == 0)
            {
                Inner.Read(byteOffset, destination);
                return;
            }

            // Cached sectors come from the cache; every run of uncached sectors is one inner read.
            int sectorSize = LogicalSectorSize;
            long end = byteOffset + destination.Length;
            long uncachedStart = byteOffset;
            long position = byteOffset;
            while (position < end)
            {
                long index = position >> LineShift;
                long lineEnd = Math.Min((index + 1) << LineShift, end);
                if (!_lines.TryGetValue(index, out CacheLine? line))
                {
                    position = lineEnd;
                    continue;
                }

                for (; position < lineEnd; position += sectorSize)
                {
                    int inLine = (int)(position & LineMask);
                    if (line.IsDirty(inLine / sectorSize))
                    {
                        ReadInner(byteOffset, destination, uncachedStart, position);
                        line.Data.AsSpan(inLine, sectorSize).CopyTo(destination.Slice((int)(position - byteOffset)));
                        uncachedStart = position + sectorSize;
                    }
                }
            }

            ReadInner(byteOffset, destination, uncachedStart, end);
        }

        protected override void WriteCore(long byteOffset, ReadOnlySpan<byte> source)
        {
            while (!source.IsEmpty)
            {
                int inLine = (int)(byteOffset & LineMask);
                int count = Math.Min(LineSize - inLine, source.Length);
                CacheLine line = GetOrAddLine(byteOffset >> LineShift);
                int before = line.DirtySectors;
                line.Store(inLine, source.Slice(0, count));
                _dirtySectors += line.DirtySectors - before;
                source = source.Slice(count);
                byteOffset += count;
            }
        }

        /// <summary>Writes back every held sector, coalescing runs, then flushes the inner disk so the data is durable.</summary>
        protected override void FlushCore()
        {
            int sectorSize = LogicalSectorSize;
            foreach (KeyValuePair<long, CacheLine> entry in _lines)
            {
                CacheLine line = entry.Value;
                long lineBase = entry.Key << LineShift;
                int sector = 0;
                while (sector < line.SectorCount)
                {
                    if (!line.IsDirty(sector))
                    {
                        sector++;
                        continue;
                    }

                    int runStart = sector;
                    while (sector < line.SectorCount && line.IsDirty(sector))
                    {
                        sector++;
                    }

                    int offset = runStart * sectorSize;
                    Inner.Write(lineBase + offset, line.Data.AsSpan(offset, (sector - runStart) * sectorSize));
                }
            }

            // Only now: if a write-back failed above, the data is still held for the next flush.
            RecycleAll();
            Inner.Flush();
        }

        protected override void DiscardCore(long byteOffset, long length, bool secure)
        {
            DropCached(byteOffset, byteOffset + length);
            Inner.Discard(byteOffset, length, secure);
        }

        protected override void ResizeCore(long newSizeBytes)
        {
            long oldSize = Inner.SizeBytes;
            Inner.Resize(newSizeBytes);
            if (newSizeBytes < oldSize)
            {
                DropCached(newSizeBytes, oldSize);
            }
        }

        protected override void DisposeCore()
        {
            RecycleAll();
            base.DisposeCore();
        }

        private void ReadInner(long baseOffset, Span<byte> destination, long from, long to)
        {
            if (to > from)
            {
                Inner.Read(from, destination.Slice((int)(from - baseOffset), (int)(to - from)));
            }
        }

        /// <summary>Forgets cached sectors in [start, end); not on the I/O path, so it may allocate a key list.</summary>
        private void DropCached(long start, long end)
        {
            if (_lines.Count == 0)
            {
                return;
            }

            int sectorSize = LogicalSectorSize;
            var emptied = new List<long>();
            foreach (KeyValuePair<long, CacheLine> entry in _lines)
            {
                long lineBase = entry.Key << LineShift;
                long from = Math.Max(start, lineBase);
                long to = Math.Min(end, lineBase + LineSize);
                if (from >= to)
                {
                    continue;
                }

                CacheLine line = entry.Value;
                int before = line.DirtySectors;
                line.Drop((int)(from - lineBase) / sectorSize, (int)(to - lineBase) / sectorSize);
                _dirtySectors -= before - line.DirtySectors;
                if (line.DirtySectors == 0)
                {
                    emptied.Add(entry.Key);
                }
            }

            foreach (long key in emptied)
            {
                _free.Push(_lines[key]);
                _lines.Remove(key);
            }
        }

        private CacheLine GetOrAddLine(long index)
        {
            if (!_lines.TryGetValue(index, out CacheLine? line))
            {
                line = _free.Count > 0 ? _free.Pop() : NewLine();
                _lines.Add(index, line);
            }

            return line;
        }

        private CacheLine NewLine() => new CacheLine(LineSize, LogicalSectorSize);

        private void RecycleAll()
        {
            foreach (CacheLine line in _lines.Values)
            {
                line.Reset();
                _free.Push(line);
            }

            _lines.Clear();
            _dirtySectors = 0;
        }
    }
}
