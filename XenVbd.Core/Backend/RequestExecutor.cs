using System;
using System.IO;
using XenVbd.Ring;
using XenVbd.Storage;
using XenVbd.Xen;

namespace XenVbd.Backend
{
    /// <summary>
    /// Decodes, validates and executes requests for one connected ring, in the order Linux's
    /// <c>dispatch_rw_block_io</c> checks them: segment count, each segment, read-only, sector range,
    /// alignment, then grant maps, then I/O. Every refusal becomes a status, never an exception.
    /// All scratch space is allocated at connect, so the I/O path allocates nothing.
    /// </summary>
    internal sealed class RequestExecutor
    {
        /// <summary>The domain blkback runs in; grants must name it.</summary>
        private const int BackendDomainId = 0;

        private readonly IBlockStorage _storage;
        private readonly BlkBackOptions _options;
        private readonly BackendProfile _profile;
        private readonly BlkBack? _owner;

        /// <summary>Bytes in one sector of the ring's sector numbers and segment sectors: 512, or the logical block for QEMU 7.2.</summary>
        private readonly int _unit;
        private readonly GrantTable _grants;
        private readonly BlkBackStatistics _stats;
        private readonly bool _readOnly;
        private readonly long _discardGranularity;
        private readonly long _discardAlignment;
        private readonly BlkifSegment[] _segments;
        private readonly MemoryRegion[] _pages;
        private readonly MemoryRegion[] _io;
        private readonly uint[] _mapped;
        private readonly bool[] _mappedPersistent;
        private int _mappedCount;
        private long _now;

        /// <summary>
        /// Where a READ's data for a segment whose grant does not copy goes (QEMU copies segment by segment): one page
        /// for the process, never read, so every executor may write its discarded bytes there.
        /// </summary>
        private static readonly GuestMemory Sink = new GuestMemory(-1, 1);

        /// <summary>Marks a <see cref="_mapped"/> entry that is the sink, not a grant, so nothing is unmapped for it.</summary>
        private const uint SinkRef = uint.MaxValue;

        public RequestExecutor(IBlockStorage storage, BlkBackOptions options, GrantTable grants, BlkBackStatistics stats, bool readOnly, long discardGranularity, long discardAlignment, BlkBack? owner = null)
        {
            _storage = storage;
            _options = options;
            _profile = BackendProfile.For(options.Personality);
            _owner = owner;
            _unit = _profile.SectorsInLogicalBlocks ? storage.LogicalSectorSize : BlkifLayout.SectorSize;
            _grants = grants;
            _stats = stats;
            _readOnly = readOnly;
            _discardGranularity = discardGranularity;
            _discardAlignment = discardAlignment;
            int maxSegments = Math.Max(BlkifLayout.MaxSegmentsPerRequest, options.MaxIndirectSegments);
            _segments = new BlkifSegment[maxSegments];
            _pages = new MemoryRegion[maxSegments];
            _io = new MemoryRegion[maxSegments];
            _mapped = new uint[maxSegments];
            _mappedPersistent = new bool[maxSegments];
        }

        /// <summary>
        /// The ring's persistent grants, once both ends agreed on <c>feature-persistent</c> (xen_blkbk_map's
        /// use_persistent_gnts); null = every grant is mapped for its request and unmapped after it.
        /// </summary>
        public PersistentGrantCache? Persistent { get; set; }

        /// <summary>Grant maps (GNTTABOP_map_grant_ref) the last executed request made: the service-time model's cost.</summary>
        public int LastMaps { get; private set; }

        /// <summary>Grant unmaps the last executed request made (each batch of them costs a TLB flush).</summary>
        public int LastUnmaps { get; private set; }

        /// <summary>Segments of the last executed request that were served from a persistent grant (no map, no unmap).</summary>
        public int LastPersistentHits { get; private set; }

        /// <summary>Virtual time the next request runs at: persistent grants are stamped with it when put back.</summary>
        public void SetNow(long now)
        {
            _now = now;
            LastMaps = 0;
            LastUnmaps = 0;
            LastPersistentHits = 0;
        }

        /// <summary>
        /// Decodes a private copy of a ring entry. For INDIRECT this maps the indirect pages read-only
        /// and reads each segment descriptor exactly once into private memory.
        /// </summary>
        public void Decode(ReadOnlySpan<byte> copy, BlkifAbi abi, out BackendRequest request)
        {
            request = default;
            byte op = BlkifCodec.PeekOperation(copy);
            request.Operation = op;
            request.IoOperation = op;
            switch (op)
            {
                case BlkifOp.Read:
                case BlkifOp.Write:
                case BlkifOp.WriteBarrier when _profile.Barrier != BarrierSemantics.Unsupported:
                case BlkifOp.FlushDiskCache when _profile.FlushOperation:
                    DecodeDirect(copy, abi, ref request);
                    break;
                case BlkifOp.Indirect when _profile.Indirect:
                    DecodeIndirect(copy, abi, ref request);
                    break;
                case BlkifOp.Discard when _profile.DiscardOperation:
                    BlkifCodec.ReadDiscard(copy, abi, out var discard);
                    request.Id = discard.Id;
                    request.SectorNumber = discard.SectorNumber;
                    request.DiscardSectors = discard.NrSectors;
                    request.DiscardFlag = discard.Flag;
                    request.SectorCount = discard.NrSectors;
                    break;
                default:
                    // blkif_request_other: only the id means anything, at the same place as a read's.
                    BlkifCodec.ReadRequest(copy, abi, out var other);
                    request.Id = other.Id;
                    request.SectorNumber = other.SectorNumber;
                    request.Reject = RequestRejectReason.UnknownOperation;
                    break;
            }
        }

        /// <summary>Validates and performs a decoded request; returns the blkif status (Reject says why it failed).</summary>
        public short Execute(ref BackendRequest request)
        {
            if (request.Reject != RequestRejectReason.None) return StatusOf(request.Reject);
            var reason = request.Operation == BlkifOp.Discard ? ExecuteDiscard(ref request) : ExecuteReadWrite(ref request);
            request.Reject = reason;
            return StatusOf(reason);
        }

        /// <summary>The status this backend answers for <paramref name="reason"/>: QEMU's dataplane has only OKAY and ERROR.</summary>
        public short StatusOf(RequestRejectReason reason) => reason switch
        {
            RequestRejectReason.None => BlkifStatus.Okay,
            RequestRejectReason.UnknownOperation => _profile.UnknownOperationStatus,
            RequestRejectReason.NotSupported => _profile.AnswersNotSupported ? BlkifStatus.NotSupported : BlkifStatus.Error,
            _ => BlkifStatus.Error,
        };

        private void DecodeDirect(ReadOnlySpan<byte> copy, BlkifAbi abi, ref BackendRequest request)
        {
            // Only the segments the request claims are read (from the one copy, XSA-155), not all 11.
            BlkifCodec.ReadRequestHeader(copy, abi, out var rw);
            request.Id = rw.Id;
            request.SectorNumber = rw.SectorNumber;
            request.SegmentCount = rw.NrSegments;
            if (rw.NrSegments > BlkifLayout.MaxSegmentsPerRequest)
            {
                request.Reject = RequestRejectReason.BadSegmentCount;
                return;
            }
            for (int i = 0; i < rw.NrSegments; i++) _segments[i] = BlkifCodec.ReadRequestSegment(copy, abi, i);
            request.SectorCount = ClaimedSectors(rw.NrSegments);
        }

        private void DecodeIndirect(ReadOnlySpan<byte> copy, BlkifAbi abi, ref BackendRequest request)
        {
            BlkifCodec.ReadIndirect(copy, abi, out var ind);
            request.IoOperation = ind.IndirectOp;
            request.Id = ind.Id;
            request.SectorNumber = ind.SectorNumber;
            request.SegmentCount = ind.NrSegments;
            if (ind.IndirectOp != BlkifOp.Read && ind.IndirectOp != BlkifOp.Write)
            {
                request.Reject = RequestRejectReason.BadIndirectOperation;
                return;
            }
            if (ind.NrSegments == 0 || ind.NrSegments > _options.MaxIndirectSegments)
            {
                request.Reject = RequestRejectReason.BadSegmentCount;
                return;
            }
            int pages = ind.IndirectPageCount;
            for (int p = 0; p < pages; p++)
            {
                // The descriptors are only read: a read-only map is all the frontend needs to grant.
                if (!MapOne(ind.GetIndirectGref(p), writable: false))
                {
                    UnmapAll();
                    request.Reject = RequestRejectReason.GrantMapFailed;
                    return;
                }
            }
            for (int i = 0; i < ind.NrSegments; i++)
            {
                var page = _pages[i / BlkifLayout.SegmentsPerIndirectPage];
                _segments[i] = BlkifCodec.ReadSegment(page.Slice(BlkifCodec.IndirectSegmentOffset(i), BlkifLayout.SegmentSize));
            }
            UnmapAll();
            request.SectorCount = ClaimedSectors(ind.NrSegments);
        }

        private ulong ClaimedSectors(int count)
        {
            ulong n = 0;
            for (int i = 0; i < count; i++)
            {
                int s = _segments[i].SectorCount;
                if (s > 0) n += (ulong)s;
            }
            return n;
        }

        private RequestRejectReason ExecuteReadWrite(ref BackendRequest request)
        {
            byte op = request.Operation;
            bool flushLike = op == BlkifOp.FlushDiskCache || op == BlkifOp.WriteBarrier;
            int count = request.SegmentCount;
            bool toGuest = request.IoOperation == BlkifOp.Read;

            // Linux: "nseg == 0 && operation_flags != REQ_PREFLUSH" — flush and barrier may carry no data.
            // QEMU lets a 0-segment READ or WRITE through its checks and answers it OKAY.
            if (count == 0 && !flushLike && !_profile.ZeroSegmentDataOkay) return RequestRejectReason.BadSegmentCount;
            // QEMU's xen_block_parse_request returns for a FLUSH without segments before any other check: a flush, OKAY.
            if (count == 0 && op == BlkifOp.FlushDiskCache && _profile.ByteOffsetWraps) return Flush(op) ? RequestRejectReason.None : RequestRejectReason.NotSupported;
            // QEMU checks read-only before the segments; Linux after them (both answer ERROR).
            if (_profile.ZeroSegmentDataOkay && !toGuest && _readOnly) return RequestRejectReason.ReadOnly;

            ulong sectors = 0;
            for (int i = 0; i < count; i++)
            {
                var seg = _segments[i];
                // Linux: last_sect >= 8 or last < first; QEMU: first > last, or last_sect * sector_size >= 4096.
                if (seg.LastSect < seg.FirstSect || (long)seg.LastSect * _unit >= XenPage.Size) return RequestRejectReason.BadSegment;
                sectors += (ulong)seg.SectorCount;
            }

            if (!toGuest && _readOnly) return RequestRejectReason.ReadOnly;
            long offset;
            if (_profile.ByteOffsetWraps)
            {
                // QEMU: start = sector_number * sector_size in 64 bits, and "start + size > length" where size is a
                // size_t, so the sum and the comparison are unsigned and wrap: a sector number whose byte offset
                // wraps to inside the image passes and the I/O is done there; a start near 2^64 whose sum with the
                // size wraps passes too, and its I/O fails in the block layer (blk_check_byte_request: offset < 0).
                offset = unchecked((long)(request.SectorNumber * (ulong)_unit));
                if (unchecked((ulong)offset + sectors * (ulong)_unit) > (ulong)_storage.SizeBytes) return RequestRejectReason.OutOfRange;
                if (offset < 0 && (toGuest || count > 0)) return RequestRejectReason.StorageError;
            }
            else
            {
                if (!RangeFits(request.SectorNumber, sectors)) return RequestRejectReason.OutOfRange;
                offset = (long)request.SectorNumber * _unit;
            }

            if (_profile.ChecksLogicalAlignment)
            {
                int sectorMask = _storage.LogicalSectorSize / BlkifLayout.SectorSize - 1;
                for (int i = 0; i < count; i++)
                    if (((((int)request.SectorNumber) | _segments[i].SectorCount) & sectorMask) != 0) return RequestRejectReason.Misaligned;
            }

            // No real backend checks feature-flush-cache / feature-barrier here: the request goes to the disk,
            // and only the disk's own NOTSUPP (below) makes it EOPNOTSUPP.

            // A read from disk writes into the guest's page, so only then is a writable map needed.
            bool copyFailed = false;
            for (int i = 0; i < count; i++)
            {
                if (!MapOne(_segments[i].Gref, writable: toGuest))
                {
                    // QEMU (xen_block_copy_request): a READ is grant-copied segment by segment after the image
                    // read, and the hypervisor goes on past a failed segment; that segment's data goes nowhere.
                    if (toGuest && _profile.CopiesSegmentsIndividually)
                    {
                        _pages[_mappedCount] = Sink.Region;
                        _mapped[_mappedCount++] = SinkRef;
                        copyFailed = true;
                        continue;
                    }
                    UnmapAll();
                    return RequestRejectReason.GrantMapFailed;
                }
            }

            try
            {
                if (flushLike && !Flush(op)) return RequestRejectReason.NotSupported;
                long bytes = (long)sectors * _unit;
                for (int i = 0; i < count; i++)
                {
                    var seg = _segments[i];
                    _io[i] = _pages[i].SubRegion(seg.FirstSect * _unit, seg.SectorCount * _unit);
                }
                // The segments are contiguous on disk: one scatter/gather call, as blkback submits one bio.
                if (count > 0)
                {
                    if (toGuest)
                    {
                        _storage.ReadScatter(offset, _io.AsSpan(0, count));
                        _stats.BytesRead += bytes;
                    }
                    else
                    {
                        _storage.WriteGather(offset, _io.AsSpan(0, count));
                        _stats.BytesWritten += bytes;
                    }
                }
                // Old Linux barriers (REQ_FLUSH|REQ_FUA, BIO_RW_BARRIER) made the barrier's own data durable.
                // Current Linux submits a REQ_PREFLUSH write with no FUA: nothing after the write.
                if (op == BlkifOp.WriteBarrier && count > 0 && _profile.Barrier == BarrierSemantics.PreflushWriteFua && !Flush(op))
                    return RequestRejectReason.NotSupported;
                return copyFailed ? RequestRejectReason.GrantMapFailed : RequestRejectReason.None;
            }
            catch (IOException)
            {
                return RequestRejectReason.StorageError;
            }
            finally
            {
                UnmapAll();
            }
        }

        private RequestRejectReason ExecuteDiscard(ref BackendRequest request)
        {
            // Linux translates a discard as a write: read-only and range checks first.
            if (_readOnly) return RequestRejectReason.ReadOnly;
            if (!RangeFits(request.SectorNumber, request.DiscardSectors)) return RequestRejectReason.OutOfRange;
            if (!_options.FeatureDiscard) return RequestRejectReason.NotSupported;

            long start = (long)request.SectorNumber * _unit;
            long length = (long)request.DiscardSectors * _unit;
            int logical = _storage.LogicalSectorSize;
            if (start % logical != 0 || length % logical != 0) return RequestRejectReason.Misaligned;

            // The device frees whole granules only (boundaries at alignment + k*granularity); the
            // partial granules at either end keep their data — discard is a hint, not an erase.
            long g = _discardGranularity;
            long phase = _discardAlignment % g;
            long first = start + Mod(phase - start, g);
            long end = start + length;
            long last = end - Mod(end - phase, g);
            bool secure = _options.DiscardSecure && (request.DiscardFlag & BlkifOp.DiscardFlagSecure) != 0;
            if (last <= first) return RequestRejectReason.None;
            try
            {
                _storage.Discard(first, last - first, secure);
                _stats.BytesDiscarded += last - first;
                return RequestRejectReason.None;
            }
            catch (IOException)
            {
                return RequestRejectReason.StorageError;
            }
        }

        private static long Mod(long a, long m)
        {
            long r = a % m;
            return r < 0 ? r + m : r;
        }

        /// <summary>
        /// xen_vbd_translate: the end must neither wrap nor pass the disk's last sector. QEMU compares bytes,
        /// start + size &gt; length, so even an empty request must start inside the image.
        /// </summary>
        private bool RangeFits(ulong sector, ulong count)
        {
            ulong diskSectors = (ulong)_storage.SizeBytes / (ulong)_unit;
            if (_profile.ZeroSegmentDataOkay && count == 0) return sector <= diskSectors;
            if (count == 0) return true;
            ulong end = sector + count;
            if (end < sector) return false;
            return end <= diskSectors;
        }

        /// <summary>
        /// The flush part of FLUSH and BARRIER. A disk that answers NOTSUPP (<see cref="NotSupportedException"/>)
        /// makes Linux answer EOPNOTSUPP and withdraw the feature key (__end_block_io_op); returns false then.
        /// </summary>
        private bool Flush(byte op)
        {
            try
            {
                _storage.Flush();
            }
            catch (NotSupportedException)
            {
                if (_profile.WithdrawsFeatureOnNotSupported) _owner?.WithdrawFeature(op);
                return false;
            }
            _stats.Flushes++;
            return true;
        }

        private bool MapOne(uint gref, bool writable)
        {
            var persistent = Persistent;
            if (persistent is not null)
            {
                // xen_blkbk_map: a grant already in the tree costs nothing; one in use by another segment is mapped again.
                if (persistent.TryGet(gref, out var kept, out bool inUse))
                {
                    _stats.PersistentGrantHits++;
                    LastPersistentHits++;
                    _pages[_mappedCount] = kept;
                    _mappedPersistent[_mappedCount] = true;
                    _mapped[_mappedCount++] = gref;
                    return true;
                }
                if (inUse) _stats.PersistentGrantsInUse++;
                // With persistent grants blkback maps every grant writable (no GNTMAP_readonly), so it can be kept for either direction.
                writable = true;
            }
            LastMaps++;
            _stats.GrantMaps++;
            if (_grants.Map(gref, BackendDomainId, writable, out var page) != GrantStatus.Okay) return false;
            bool keep = false;
            if (persistent is not null)
            {
                keep = persistent.TryAdd(gref, page);
                if (keep) _stats.PersistentGrantsAdded++;
                else if (persistent.Overflow) _stats.PersistentGrantOverflows++;
            }
            _pages[_mappedCount] = page;
            _mappedPersistent[_mappedCount] = keep;
            _mapped[_mappedCount++] = gref;
            return true;
        }

        private void UnmapAll()
        {
            for (int i = 0; i < _mappedCount; i++)
            {
                // xen_blkbk_unmap_prepare: a persistent grant is only put back (put_persistent_gnt), never unmapped.
                // The sink page stands in for a segment that failed to map: nothing to unmap.
                if (_mappedPersistent[i]) Persistent!.Put(_mapped[i], _now);
                else if (_mapped[i] != SinkRef)
                {
                    _grants.Unmap(_mapped[i]);
                    LastUnmaps++;
                    _stats.GrantUnmaps++;
                }
                _mappedPersistent[i] = false;
                _pages[i] = default;
                _io[i] = default;
            }
            _mappedCount = 0;
        }
    }
}
