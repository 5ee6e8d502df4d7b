using System;
using XenVbd.Ring;
using XenVbd.Sim;

namespace XenVbd.Frontend
{
    /// <summary>
    /// Turning queued SRBs into ring requests: windows (the buffer itself, or one bounce pass),
    /// segments, grants, requests built privately and then copied to the ring slot.
    /// </summary>
    public sealed partial class XenVbdFrontend
    {
        private enum IssueResult
        {
            /// <summary>Everything this SRB can send now is on the ring.</summary>
            Done,

            /// <summary>Waiting for bounce memory; SRBs behind it may still go.</summary>
            Waiting,

            /// <summary>No ring slot or request id: stop for now.</summary>
            RingFull,
        }

        /// <summary>Moves as much queued work to the ring as fits, then notifies once.</summary>
        private void Pump()
        {
            if (_pumping)
            {
                _pumpAgain = true;
                return;
            }

            _pumping = true;
            try
            {
                do
                {
                    _pumpAgain = false;
                    // Memory the backend finally let go of (XSA-396) goes back before anything waits for it.
                    RetryQuarantined();
                    AdmitWaiting();
                    if (_state != FrontendState.Ready || _front == null) return;
                    uint before = _front.ReqProdPvt;
                    Srb? previous = null;
                    var srb = _queue.Head;
                    while (srb != null)
                    {
                        var next = srb.NextInQueue;
                        var ext = srb.Extension!;
                        if (_p.BounceBufferStallsQueue && _bounce.Busy && !ext.HoldsBounce)
                        {
                            // GPLPV 2012/2013: while aligned_buffer_in_use no SRB goes to the ring, aligned ones included.
                            previous = srb;
                            srb = next;
                            continue;
                        }

                        var r = Issue(ext);
                        if (r == IssueResult.RingFull)
                        {
                            Statistics.RingFullWaits++;
                            // A slot may be held by a request that will never be answered: the watchdog bounds the wait.
                            if (_p.UnansweredRequests == UnansweredRequestPolicy.Hardened && _shadows.CountIn(ShadowState.Orphaned) > 0) ArmWatchdog();
                            break;
                        }

                        if (r == IssueResult.Done)
                        {
                            _queue.Remove(previous, srb);
                            ext.InQueue = false;
                        }
                        else
                        {
                            previous = srb;
                        }

                        srb = next;
                    }

                    if (_front.ReqProdPvt != before)
                    {
                        Notify();
                        ArmWatchdog();
                    }
                }
                while (_pumpAgain);
            }
            finally
            {
                _pumping = false;
            }
        }

        private bool RingHasRoom => !_front!.IsFull && _shadows.FreeCount > 0;

        private IssueResult Issue(SrbExtension ext)
        {
            switch (ext.Kind)
            {
                case TransferKind.Flush:
                    if (ext.WindowIssued == 0)
                    {
                        if (!RingHasRoom) return IssueResult.RingFull;
                        IssueFlush(ext);
                    }

                    return IssueResult.Done;
                case TransferKind.Discard:
                    while (ext.ExtentsIssued < ext.ExtentCount)
                    {
                        if (!RingHasRoom) return IssueResult.RingFull;
                        IssueDiscard(ext);
                    }

                    return IssueResult.Done;
                default:
                    return IssueReadWriteWindow(ext);
            }
        }

        private IssueResult IssueReadWriteWindow(SrbExtension ext)
        {
            if (ext.Failed) return IssueResult.Done;
            if (!ext.WindowOpen)
            {
                if (ext.DoneBytes >= ext.TotalBytes) return IssueResult.Done;
                if (!OpenWindow(ext))
                {
                    // Finding F3: the memory may be pinned by a request a reset orphaned, which only a late
                    // response or a reconnect frees; the watchdog bounds how long this SRB waits for it.
                    if (ext.BounceWaitSince < 0) ext.BounceWaitSince = _scheduler.Now;
                    ArmWatchdog();
                    return IssueResult.Waiting;
                }

                ext.BounceWaitSince = -1;
            }

            while (ext.WindowIssued < ext.WindowBytes)
            {
                if (!RingHasRoom) return IssueResult.RingFull;
                IssueReadWrite(ext);
            }

            return IssueResult.Done;
        }

        /// <summary>The next window: the whole buffer when it can be granted, else one bounce pass.</summary>
        private bool OpenWindow(SrbExtension ext)
        {
            var srb = ext.Srb!;
            if (ext.Direct)
            {
                ext.WindowPaged = false;
                ext.WindowBase = srb.DataAddress;
                ext.WindowBytes = ext.TotalBytes;
            }
            else
            {
                int bytes = _bounce.TryOpen(ext, ext.TotalBytes - ext.DoneBytes, (int)_disk!.LogicalBlockSize);
                if (bytes == 0) return false;
                ext.HoldsBounce = true;
                ext.WindowBytes = bytes;
                ScrubBounceWindow(ext, read: ext.Operation != BlkifOp.Write);
                if (ext.Operation == BlkifOp.Write) CopyWindow(ext, toBounce: true);
                srb.BouncePasses++;
                srb.BytesBounced += bytes;
                Statistics.BouncePasses++;
                Statistics.BytesBounced += bytes;
                _trace.Record(TraceKind.Bounce, DeviceId, (uint)ext.Index, (ulong)ext.DoneBytes, bytes);
            }

            ext.WindowIssued = 0;
            ext.WindowOpen = true;
            return true;
        }

        /// <summary>Copies the current window between the SRB buffer and the bounce memory.</summary>
        private void CopyWindow(SrbExtension ext, bool toBounce)
        {
            var user = _memory.At(ext.Srb!.DataAddress + (ulong)ext.DoneBytes, ext.WindowBytes);
            if (!ext.WindowPaged)
            {
                var bounce = _memory.At(ext.WindowBase, ext.WindowBytes);
                if (toBounce) user.CopyTo(bounce);
                else bounce.CopyTo(user);
                return;
            }

            int done = 0;
            for (int i = 0; done < ext.WindowBytes; i++)
            {
                int n = Math.Min(BlkifLayout.PageSize, ext.WindowBytes - done);
                var page = _memory.Page(ext.WindowFrames[i]).Slice(0, n);
                if (toBounce) user.Slice(done, n).CopyTo(page);
                else page.CopyTo(user.Slice(done, n));
                done += n;
            }
        }

        /// <summary>Segments for the window from <see cref="SrbExtension.WindowIssued"/>, at most <paramref name="max"/>.</summary>
        private int BuildSegments(SrbExtension ext, int max, out int bytes)
        {
            int remaining = ext.WindowBytes - ext.WindowIssued;
            if (!ext.WindowPaged)
                return SegmentBuilder.Split(ext.WindowBase + (ulong)ext.WindowIssued, remaining, max, _segments, out bytes);

            // Pool pages: each pass byte offset maps to its own frame, always from sector 0 of the page.
            int n = 0;
            bytes = 0;
            while (bytes < remaining && n < max)
            {
                int offset = ext.WindowIssued + bytes;
                int take = Math.Min(BlkifLayout.PageSize, remaining - bytes);
                _segments[n++] = new PageSegment(ext.WindowFrames[offset / BlkifLayout.PageSize], 0, (byte)(take / BlkifLayout.SectorSize - 1));
                bytes += take;
            }

            return n;
        }

        private void IssueReadWrite(SrbExtension ext)
        {
            var shadow = _shadows.TryAcquire()!;
            int n = BuildSegments(ext, SegmentsPerRequest, out int bytes);
            ulong sector = ext.StartSector + (ulong)((ext.DoneBytes + ext.WindowIssued) / BlkifLayout.SectorSize);
            bool write = ext.Operation == BlkifOp.Write;
            for (int i = 0; i < n; i++)
                _grants.GrantAccess(shadow.Grefs[i], BackendDomainId, _segments[i].Frame, readOnly: write);
            shadow.ActiveGrants = n;

            var slot = _front!.NextRequestSlot();
            if (n <= BlkifLayout.MaxSegmentsPerRequest)
            {
                var req = default(BlkifRequest);
                req.Operation = ext.Operation;
                req.NrSegments = (byte)n;
                req.Handle = (ushort)DeviceId;
                req.Id = (ulong)shadow.Id;
                req.SectorNumber = sector;
                for (int i = 0; i < n; i++)
                    req.SetSegment(i, new BlkifSegment(shadow.Grefs[i], _segments[i].FirstSect, _segments[i].LastSect));
                BlkifCodec.WriteRequest(slot, Abi, req);
                shadow.Operation = ext.Operation;
            }
            else
            {
                var req = default(BlkifIndirectRequest);
                req.Operation = BlkifOp.Indirect;
                req.IndirectOp = ext.Operation;
                req.NrSegments = (ushort)n;
                req.Handle = (ushort)DeviceId;
                req.Id = (ulong)shadow.Id;
                req.SectorNumber = sector;
                int pages = (n + BlkifLayout.SegmentsPerIndirectPage - 1) / BlkifLayout.SegmentsPerIndirectPage;
                for (int p = 0; p < pages; p++)
                {
                    var page = _memory.Page(shadow.IndirectFrames[p]).Span;
                    page.Clear();
                    int from = p * BlkifLayout.SegmentsPerIndirectPage;
                    int to = Math.Min(n, from + BlkifLayout.SegmentsPerIndirectPage);
                    for (int i = from; i < to; i++)
                        BlkifCodec.WriteSegment(page.Slice(BlkifCodec.IndirectSegmentOffset(i)), new BlkifSegment(shadow.Grefs[i], _segments[i].FirstSect, _segments[i].LastSect));
                    _grants.GrantAccess(shadow.IndirectGrefs[p], BackendDomainId, shadow.IndirectFrames[p], readOnly: true);
                    req.SetIndirectGref(p, shadow.IndirectGrefs[p]);
                }

                shadow.ActiveIndirectGrants = pages;
                BlkifCodec.WriteIndirect(slot, Abi, req);
                shadow.Operation = BlkifOp.Indirect;
                Statistics.IndirectRequests++;
            }

            shadow.IndirectOperation = ext.Operation;
            shadow.Sector = sector;
            shadow.Segments = n;
            shadow.Bytes = bytes;
            Produce(ext, shadow);
            ext.WindowIssued += bytes;
        }

        private void IssueFlush(SrbExtension ext)
        {
            var shadow = _shadows.TryAcquire()!;
            var req = default(BlkifRequest);
            req.Operation = ext.Operation;
            req.Handle = (ushort)DeviceId;
            req.Id = (ulong)shadow.Id;
            BlkifCodec.WriteRequest(_front!.NextRequestSlot(), Abi, req);
            shadow.Operation = ext.Operation;
            shadow.IndirectOperation = ext.Operation;
            shadow.Sector = 0;
            Produce(ext, shadow);
            ext.WindowIssued = 1;
        }

        private void IssueDiscard(SrbExtension ext)
        {
            var shadow = _shadows.TryAcquire()!;
            var extent = ext.Extents[ext.ExtentsIssued];
            ulong perBlock = _disk!.LogicalBlockSize / BlkifLayout.SectorSize;
            var req = default(BlkifDiscardRequest);
            req.Operation = BlkifOp.Discard;
            req.Handle = (ushort)DeviceId;
            req.Id = (ulong)shadow.Id;
            req.SectorNumber = extent.Lba * perBlock;
            req.NrSectors = extent.BlockCount * perBlock;
            BlkifCodec.WriteDiscard(_front!.NextRequestSlot(), Abi, req);
            shadow.Operation = BlkifOp.Discard;
            shadow.IndirectOperation = BlkifOp.Discard;
            shadow.Sector = req.SectorNumber;
            Produce(ext, shadow);
            ext.ExtentsIssued++;
        }

        private void Produce(SrbExtension ext, Shadow shadow)
        {
            shadow.Owner = ext;
            shadow.IssuedTicks = _scheduler.Now;
            shadow.RingIndex = _front!.ReqProdPvt;
            _front.Produce();
            _inFlight++;
            ext.PartsOutstanding++;
            ext.Srb!.RequestsUsed++;
            Statistics.Requests++;
            _trace.Record(TraceKind.RequestPushed, DeviceId, shadow.RingIndex, (ulong)shadow.Id, (long)shadow.Sector, shadow.Operation);
        }
    }
}
