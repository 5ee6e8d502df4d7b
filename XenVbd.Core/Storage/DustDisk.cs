using System;
using System.Collections.Generic;

namespace XenVbd.Storage
{
    /// <summary>
    /// Emulates failing sectors the way Linux dm-dust does: a list of bad blocks (one block = one logical
    /// sector here) whose reads fail with <see cref="StorageError.MediumError"/>, until a write to the
    /// block "remaps" it and removes it from the list. Emulation can be switched off without forgetting
    /// the list, like dm-dust's <c>enable</c>/<c>disable</c> messages.
    /// </summary>
    /// <remarks>
    /// Bad blocks are kept sorted so checking a request is a binary search, with no allocation on the I/O
    /// path. A discard is a write as far as dm-dust is concerned, so it clears bad blocks too.
    /// </remarks>
    public sealed class DustDisk : BlockStorageDecorator
    {
        private readonly List<long> _badBlocks = new List<long>();
        private bool _enabled = true;

        public DustDisk(IBlockStorage inner, bool ownsInner = true)
            : base(inner, ownsInner)
        {
        }

        /// <summary>When false, bad blocks neither fail reads nor get cleared by writes.</summary>
        public bool IsEnabled
        {
            get
            {
                lock (SyncRoot)
                {
                    return _enabled;
                }
            }

            set
            {
                lock (SyncRoot)
                {
                    _enabled = value;
                }
            }
        }

        public int BadBlockCount
        {
            get
            {
                lock (SyncRoot)
                {
                    return _badBlocks.Count;
                }
            }
        }

        /// <summary>Marks a block (a logical sector number) bad. Returns false if it was already bad.</summary>
        public bool AddBadBlock(long block)
        {
            lock (SyncRoot)
            {
                ThrowIfDisposed();
                long blocks = SizeBytes / LogicalSectorSize;
                if (block < 0 || block >= blocks)
                {
                    throw new StorageException(StorageError.OutOfRange,
                        $"Block {block} is not on the disk, which has blocks 0..{blocks - 1}.", block * LogicalSectorSize);
                }

                int at = _badBlocks.BinarySearch(block);
                if (at >= 0)
                {
                    return false;
                }

                _badBlocks.Insert(~at, block);
                return true;
            }
        }

        /// <summary>Returns false if the block was not bad.</summary>
        public bool RemoveBadBlock(long block)
        {
            lock (SyncRoot)
            {
                int at = _badBlocks.BinarySearch(block);
                if (at < 0)
                {
                    return false;
                }

                _badBlocks.RemoveAt(at);
                return true;
            }
        }

        public bool IsBadBlock(long block)
        {
            lock (SyncRoot)
            {
                return _badBlocks.BinarySearch(block) >= 0;
            }
        }

        public void ClearBadBlocks()
        {
            lock (SyncRoot)
            {
                _badBlocks.Clear();
            }
        }

        /// <summary>The bad blocks in ascending order, as a copy the caller may keep.</summary>
        public long[] GetBadBlocks()
        {
            lock (SyncRoot)
            {
                return _badBlocks.ToArray();
            }
        }

        protected override void ReadCore(long byteOffset, Span<byte> destination)
        {
            if (_enabled)
            {
                long bad = FirstBadBlockIn(byteOffset, destination.Length);
                if (bad >= 0)
                {
                    throw new StorageException(StorageError.MediumError,
                        $"Read of {destination.Length} bytes at byte offset {byteOffset} hit bad block {bad}.", bad * LogicalSectorSize);
                }
            }

            Inner.Read(byteOffset, destination);
        }

        protected override void WriteCore(long byteOffset, ReadOnlySpan<byte> source)
        {
            Inner.Write(byteOffset, source);
            ClearWritten(byteOffset, source.Length);
        }

        protected override void DiscardCore(long byteOffset, long length, bool secure)
        {
            Inner.Discard(byteOffset, length, secure);
            ClearWritten(byteOffset, length);
        }

        /// <summary>Blocks past a shrink no longer exist; they must not come back bad after a later grow.</summary>
        protected override void ResizeCore(long newSizeBytes)
        {
            Inner.Resize(newSizeBytes);
            long blocks = newSizeBytes / LogicalSectorSize;
            int at = _badBlocks.BinarySearch(blocks);
            int first = at >= 0 ? at : ~at;
            _badBlocks.RemoveRange(first, _badBlocks.Count - first);
        }

        /// <summary>Only after the inner write succeeded: a failed write must not heal the block.</summary>
        private void ClearWritten(long byteOffset, long length)
        {
            if (!_enabled)
            {
                return;
            }

            long first = byteOffset / LogicalSectorSize;
            long end = (byteOffset + length) / LogicalSectorSize;
            int at = _badBlocks.BinarySearch(first);
            int start = at >= 0 ? at : ~at;
            int stop = start;
            while (stop < _badBlocks.Count && _badBlocks[stop] < end)
            {
                stop++;
            }

            if (stop > start)
            {
                _badBlocks.RemoveRange(start, stop - start);
            }
        }

        /// <summary>The lowest bad block overlapping the range, or -1.</summary>
        private long FirstBadBlockIn(long byteOffset, long length)
        {
            if (_badBlocks.Count == 0)
            {
                return -1;
            }

            long first = byteOffset / LogicalSectorSize;
            long end = (byteOffset + length) / LogicalSectorSize;
            int at = _badBlocks.BinarySearch(first);
            int index = at >= 0 ? at : ~at;
            return index < _badBlocks.Count && _badBlocks[index] < end ? _badBlocks[index] : -1;
        }
    }
}
