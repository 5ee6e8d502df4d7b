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
    /// <remarks>
    /// <para>A request is submitted (<see cref="Execute"/>) when the ring thread dispatches it and its data moves
    /// when it completes (<see cref="Complete"/>), as a bio or an aio does: a WRITE's data reaches the disk (its
    /// volatile cache) at its completion, so writes in flight together land in completion order, not ring order.
    /// A FLUSH's flush is performed at submit and covers exactly the writes completed before it
    /// (Linux: a REQ_PREFLUSH bio, dispatch_rw_block_io; QEMU: blk_aio_flush from xen_block_do_aio, presync),
    /// never a write still in flight.</para>
    /// <para>Guest memory is read for a WRITE (and written for a READ) at completion. Linux maps the granted
    /// pages at submit (xen_blkbk_map_seg) and unmaps them only when the bio ends (__end_block_io_op); the device
    /// DMAs them at some point in between, and completion is the one point in that window the model can name
    /// without inventing a device schedule. The pages stay mapped in a table per pending slot (Linux's
    /// pending_req, one per ring slot, each with room for the most segments), preallocated at connect.
    /// QEMU grant-copies a WRITE's pages into its bounce buffer at submit (xen_block_do_aio, before
    /// blk_aio_pwritev) and a READ's out at completion (xen_block_complete_aio); the model reads a QEMU WRITE at
    /// completion too, which differs only for a guest that changes a buffer under its own in-flight write,
    /// something no frontend personality does and no block device defines.</para>
    /// <para>A READ takes its data at completion: overlapping an in-flight WRITE it sees the write's data if that
    /// write completed first and the old data otherwise. Neither Linux's block layer nor QEMU orders overlapping
    /// requests in flight together (a SCSI or NVMe device may serve them in any order), so both outcomes are ones
    /// a real device allows; a frontend that needs the write's data must wait for its response.</para>
    /// </remarks>
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
        private readonly uint[] _mapped;
        private readonly bool[] _mappedPersistent;
        private int _mappedCount;
        private long _now;

        /// <summary>Segment-table entries per pending slot: the most segments one request can carry on this backend.</summary>
        private readonly int _slotSegments;

        /// <summary>Per pending slot: the I/O its completion does (allocated by <see cref="Reserve"/> at connect).</summary>
        private PendingIo[] _work = Array.Empty<PendingIo>();

        // Per pending slot, _slotSegments entries each: the region of every segment, its grant, whether it is persistent.
        private MemoryRegion[] _slotIo = Array.Empty<MemoryRegion>();
        private uint[] _slotGrefs = Array.Empty<uint>();
        private bool[] _slotPersistent = Array.Empty<bool>();

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
            _mapped = new uint[maxSegments];
            _mappedPersistent = new bool[maxSegments];
            _slotSegments = _profile.Indirect ? maxSegments : BlkifLayout.MaxSegmentsPerRequest;
        }

        /// <summary>Allocates the per-slot tables for a ring of <paramref name="slots"/> entries (at connect, off the I/O path).</summary>
        public void Reserve(int slots)
        {
            _work = new PendingIo[slots];
            _slotIo = new MemoryRegion[slots * _slotSegments];
            _slotGrefs = new uint[slots * _slotSegments];
            _slotPersistent = new bool[slots * _slotSegments];
        }

        /// <summary>The pending slot the request being executed will complete from.</summary>
        private int _slot;

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

        /// <summary>
        /// Validates and submits a decoded request that will complete from pending <paramref name="slot"/>: its
        /// grants are mapped and a flush's flush is done now; its data moves in <see cref="Complete"/>. Returns the
        /// blkif status of the submit (Reject says why it failed).
        /// </summary>
        public short Execute(ref BackendRequest request, int slot)
        {
            _slot = slot;
            _work[slot] = default;
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
                // The preflush, at submit: it covers the writes completed before now, not those still in flight
                // (Linux REQ_PREFLUSH, dispatch_rw_block_io; QEMU presync blk_aio_flush, xen_block_do_aio). A
                // current-Linux barrier reaches here only once the ring has drained (RingConnection holds it).
                if (flushLike && !Flush(op)) return RequestRejectReason.NotSupported;
                if (count == 0) return RequestRejectReason.None;
                // The segments are contiguous on disk: one scatter/gather call at completion, as blkback submits one bio.
                ref var work = ref _work[_slot];
                work.Kind = toGuest ? PendingIoKind.Read : PendingIoKind.Write;
                work.Offset = offset;
                work.Length = (long)sectors * _unit;
                work.CopyFailed = copyFailed;
                work.Operation = op;
                // Old Linux barriers (REQ_FLUSH|REQ_FUA; a device without FUA gets a post-flush from the block
                // layer) made the barrier's own data durable before the answer. Current Linux submits a
                // REQ_PREFLUSH write with no FUA: nothing after the write.
                work.FlushAfter = op == BlkifOp.WriteBarrier && _profile.Barrier == BarrierSemantics.PreflushWriteFua;
                int first = _slot * _slotSegments;
                for (int i = 0; i < count; i++)
                {
                    var seg = _segments[i];
                    _slotIo[first + i] = _pages[i].SubRegion(seg.FirstSect * _unit, seg.SectorCount * _unit);
                    _slotGrefs[first + i] = _mapped[i];
                    _slotPersistent[first + i] = _mappedPersistent[i];
                    // Unmapped at completion; counted now for the service-time model's completion cost.
                    if (!_mappedPersistent[i] && _mapped[i] != SinkRef) LastUnmaps++;
                    _pages[i] = default;
                    _mappedPersistent[i] = false;
                }
                work.Mapped = count;
                _mappedCount = 0;
                return RequestRejectReason.None;
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
            // A discard is a bio too (REQ_OP_DISCARD; QEMU blk_aio_pdiscard): it takes effect when it completes.
            ref var work = ref _work[_slot];
            work.Kind = PendingIoKind.Discard;
            work.Offset = first;
            work.Length = last - first;
            work.Secure = secure;
            return RequestRejectReason.None;
        }

        /// <summary>
        /// The completion of the request submitted from <paramref name="slot"/>: its data moves now (READ into the
        /// guest's pages, WRITE into the disk's cache, DISCARD frees), then its grants are unmapped or, persistent,
        /// put back stamped <paramref name="now"/>. Returns why it failed, or None.
        /// </summary>
        public RequestRejectReason Complete(int slot, long now)
        {
            ref var work = ref _work[slot];
            if (work.Kind == PendingIoKind.None) return RequestRejectReason.None;
            _now = now;
            var reason = RequestRejectReason.None;
            var io = _slotIo.AsSpan(slot * _slotSegments, work.Mapped);
            try
            {
                switch (work.Kind)
                {
                    case PendingIoKind.Read:
                        _storage.ReadScatter(work.Offset, io);
                        _stats.BytesRead += work.Length;
                        break;
                    case PendingIoKind.Write:
                        _storage.WriteGather(work.Offset, io);
                        _stats.BytesWritten += work.Length;
                        break;
                    default:
                        _storage.Discard(work.Offset, work.Length, work.Secure);
                        _stats.BytesDiscarded += work.Length;
                        break;
                }
                if (work.FlushAfter && !Flush(work.Operation)) reason = RequestRejectReason.NotSupported;
                else if (work.CopyFailed) reason = RequestRejectReason.GrantMapFailed;
            }
            catch (IOException)
            {
                reason = RequestRejectReason.StorageError;
            }
            finally
            {
                ReleaseSlot(slot);
            }
            return reason;
        }

        /// <summary>Completes every request still in flight, in slot order, answering none (the ring is going away).</summary>
        public void CompleteAll(long now)
        {
            for (int slot = 0; slot < _work.Length; slot++) Complete(slot, now);
        }

        /// <summary>
        /// The power is gone: every request in flight loses its data (it never reaches the disk), its grants are
        /// released, and its response, when it comes, has nothing behind it. What was only in a volatile cache is the
        /// cache's to drop.
        /// </summary>
        public int AbandonAll()
        {
            int abandoned = 0;
            for (int slot = 0; slot < _work.Length; slot++)
            {
                if (_work[slot].Kind == PendingIoKind.None) continue;
                ReleaseSlot(slot);
                abandoned++;
            }
            return abandoned;
        }

        /// <summary>Unmaps (or puts back) the grants of <paramref name="slot"/> and forgets its I/O.</summary>
        private void ReleaseSlot(int slot)
        {
            ref var work = ref _work[slot];
            int first = slot * _slotSegments;
            for (int i = first; i < first + work.Mapped; i++)
            {
                if (_slotPersistent[i]) Persistent?.Put(_slotGrefs[i], _now);
                else if (_slotGrefs[i] != SinkRef)
                {
                    _grants.Unmap(_slotGrefs[i]);
                    _stats.GrantUnmaps++;
                }
                _slotIo[i] = default;
                _slotPersistent[i] = false;
            }
            work = default;
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
            }
            _mappedCount = 0;
        }
    }
}
