using System;
using XenVbd.Ring;
using XenVbd.Scsi;

namespace XenVbd.Frontend
{
    /// <summary>
    /// SCSI dispatch (the Xen Project driver's target.c), on the decoders and answer builders of <c>Scsi/</c>: what the
    /// driver answers itself (INQUIRY, READ CAPACITY, MODE SENSE, ...), what becomes ring work (READ and WRITE, and
    /// SYNCHRONIZE CACHE and UNMAP where the personality puts them on the ring), the SRBs that wait for the device to
    /// be ready, and the pending UNIT ATTENTION. The personality's seams here: <see cref="FrontendBehaviours.SrbsDuringProbe"/>,
    /// <see cref="FrontendBehaviours.SynchronizeCache"/>, <see cref="FrontendBehaviours.Unmap"/>,
    /// <see cref="FrontendBehaviours.BounceAlignment"/> and <see cref="FrontendBehaviours.Fua"/>.
    /// </summary>
    internal sealed class ScsiDispatcher
    {
        /// <summary>The frontend that owns this part.</summary>
        private readonly XenVbdFrontend _f;

        /// <summary>SRBs accepted but not started: the device is not Ready, or no extension is free.</summary>
        private readonly SrbQueue _waiting = new SrbQueue();

        /// <summary>The UNIT ATTENTION the next command hears (capacity changed); none when clear.</summary>
        private SenseInfo _unitAttention;

        public ScsiDispatcher(XenVbdFrontend frontend) => _f = frontend;

        public int WaitingCount => _waiting.Count;

        public Srb? DequeueWaiting() => _waiting.Dequeue();

        /// <summary>The backend reports a new size: the next command (bar INQUIRY, REPORT LUNS, REQUEST SENSE) gets UNIT ATTENTION.</summary>
        public void RaiseCapacityChanged() => _unitAttention = SenseInfo.Of(SenseKey.UnitAttention, AdditionalSense.CapacityDataHasChanged);

        /// <summary>Takes a submitted SRB: answers it, starts it, or makes it wait.</summary>
        public void Accept(Srb srb)
        {
            switch (srb.Function)
            {
                case SrbFunction.ExecuteScsi:
                    break;
                case SrbFunction.ResetBus:
                case SrbFunction.ResetDevice:
                    _f.Recovery.ResetBus();
                    _f.Complete(srb, SrbStatus.Success, ScsiStatus.Good);
                    return;
                default:
                    // Abort, flush and shutdown have nothing to do here: writes are not cached in the frontend.
                    _f.Complete(srb, SrbStatus.Success, ScsiStatus.Good);
                    return;
            }

            var state = _f.State;
            if (state == FrontendState.Broken && _f.Personality.Responses == ResponseValidation.DisableAndLeaveHanging)
            {
                // blkfront in BLKIF_STATE_ERROR: blkif_queue_request refuses, blk-mq keeps the request for later.
                _waiting.Enqueue(srb);
                return;
            }

            if (_f.IsTerminal)
            {
                _f.CompleteWithSense(srb, SenseInfo.Of(SenseKey.HardwareError, AdditionalSense.InternalTargetFailure));
                return;
            }

            if (state == FrontendState.Probing && _f.Personality.SrbsDuringProbe == ProbeSrbPolicy.AnswerNonReadWrite && !NeedsRing(srb))
            {
                // GPLPV 2012 answers what it can itself while the probe is out; only reads and writes queue behind it.
                Start(srb);
                return;
            }

            if (state != FrontendState.Ready || _waiting.Count > 0 || (_f.Extensions.FreeCount == 0 && NeedsRing(srb)))
            {
                _waiting.Enqueue(srb);
                // While Ready the wait is for an extension, which orphans may pin (finding F3): the watchdog
                // bounds it. Waiting for a connection (migration) is not bounded here.
                if (state == FrontendState.Ready) _f.Watchdog.Arm();
                return;
            }

            Start(srb);
            _f.Pump();
        }

        /// <summary>Starts waiting SRBs while the device is Ready and an extension is free for those that need one.</summary>
        public void AdmitWaiting()
        {
            while (_f.State == FrontendState.Ready && _waiting.Head != null)
            {
                if (_f.Extensions.FreeCount == 0 && NeedsRing(_waiting.Head)) return;
                Start(_waiting.Dequeue()!);
            }
        }

        /// <summary>Completes with TIMEOUT every waiting SRB submitted a request timeout ago or more; true when any was.</summary>
        public bool FailWaitersPastTimeout(long now)
        {
            bool failed = false;
            Srb? previous = null;
            for (var srb = _waiting.Head; srb != null;)
            {
                var next = srb.NextInQueue;
                if (now - srb.StartTicks >= _f.TimeoutTicks)
                {
                    _waiting.Remove(previous, srb);
                    _f.Statistics.BounceWaitTimeouts++;
                    _f.Complete(srb, SrbStatus.Timeout, ScsiStatus.Good);
                    failed = true;
                }
                else
                {
                    previous = srb;
                }

                srb = next;
            }

            return failed;
        }

        /// <summary>Cheap look at the opcode: does this SRB need an extension (ring work) under this personality?</summary>
        private bool NeedsRing(Srb srb)
        {
            if (srb.CdbLength == 0) return false;
            switch (srb.Cdb[0])
            {
                case ScsiOp.Read6:
                case ScsiOp.Read10:
                case ScsiOp.Read12:
                case ScsiOp.Read16:
                case ScsiOp.Write6:
                case ScsiOp.Write10:
                case ScsiOp.Write12:
                case ScsiOp.Write16:
                    return true;
                case ScsiOp.SynchronizeCache10:
                case ScsiOp.SynchronizeCache16:
                    return _f.Personality.SynchronizeCache == SyncCachePolicy.OnRing;
                case ScsiOp.Unmap:
                    return _f.Personality.Unmap == UnmapPolicy.OnRing;
                default:
                    return false;
            }
        }

        /// <summary>Runs an SRB the device is ready for: answers it, or turns it into queued ring work.</summary>
        private void Start(Srb srb)
        {
            var disk = _f.Disk!;
            var cmd = CdbDecoder.Decode(srb.Cdb);
            if (!cmd.IsValid)
            {
                _f.CompleteWithSense(srb, cmd.Error);
                return;
            }

            // SPC-4 5.14: INQUIRY, REPORT LUNS and REQUEST SENSE do not consume a unit attention.
            if (!_unitAttention.IsNone && cmd.Kind != CdbKind.Inquiry && cmd.Kind != CdbKind.ReportLuns && cmd.Kind != CdbKind.RequestSense)
            {
                var ua = _unitAttention;
                _unitAttention = SenseInfo.None;
                _f.CompleteWithSense(srb, ua);
                return;
            }

            if (!BufferInGuest(srb))
            {
                _f.Complete(srb, SrbStatus.InvalidRequest, ScsiStatus.Good);
                return;
            }

            ScsiResult result;
            switch (cmd.Kind)
            {
                case CdbKind.TestUnitReady:
                case CdbKind.StartStopUnit:
                    srb.DataTransferLength = 0;
                    _f.Complete(srb, SrbStatus.Success, ScsiStatus.Good);
                    return;
                case CdbKind.RequestSense:
                {
                    var pending = _unitAttention;
                    _unitAttention = SenseInfo.None;
                    srb.DataTransferLength = SenseData.WriteForRequestSense(cmd, pending, DataIn(srb));
                    _f.Complete(srb, SrbStatus.Success, ScsiStatus.Good);
                    return;
                }

                case CdbKind.Inquiry:
                    result = InquiryData.Build(cmd, disk, DataIn(srb));
                    break;
                case CdbKind.ReadCapacity10:
                    result = ScsiResult.Ok(ReadCapacityData.Write10(disk, DataIn(srb)));
                    break;
                case CdbKind.ReadCapacity16:
                    result = ScsiResult.Ok(ReadCapacityData.Write16(cmd, disk, DataIn(srb)));
                    break;
                case CdbKind.ModeSense6:
                case CdbKind.ModeSense10:
                    result = ModeSenseData.Build(cmd, disk, DataIn(srb));
                    break;
                case CdbKind.ReportLuns:
                    result = ReportLunsData.Build(cmd, DataIn(srb));
                    break;
                case CdbKind.Verify:
                {
                    var check = MediumAccessCheck.Check(cmd, disk);
                    if (!check.IsNone) { _f.CompleteWithSense(srb, check); return; }

                    // Only the medium check form (BYTCHK 0) is offered: blkif has no compare operation.
                    if (cmd.ByteCheck != 0) { _f.CompleteWithSense(srb, SenseInfo.InvalidFieldInCdb(1, 2)); return; }
                    srb.DataTransferLength = 0;
                    _f.Complete(srb, SrbStatus.Success, ScsiStatus.Good);
                    return;
                }

                case CdbKind.Read:
                case CdbKind.Write:
                    StartReadWrite(srb, cmd, disk);
                    return;
                case CdbKind.SynchronizeCache:
                    switch (_f.Personality.SynchronizeCache)
                    {
                        case SyncCachePolicy.OnRing:
                            StartFlush(srb, cmd, disk);
                            return;
                        case SyncCachePolicy.NoOpSuccess:
                            // The 2013 GPLPV rewrite: success, and nothing reaches the backend (nothing is flushed).
                            srb.DataTransferLength = 0;
                            _f.Complete(srb, SrbStatus.Success, ScsiStatus.Good);
                            return;
                        default:
                            CompleteUnhandled(srb);
                            return;
                    }

                case CdbKind.Unmap:
                    if (_f.Personality.Unmap == UnmapPolicy.OnRing) StartUnmap(srb, cmd, disk);
                    else CompleteUnhandled(srb);
                    return;
                default:
                    _f.CompleteWithSense(srb, SenseInfo.InvalidOpcode());
                    return;
            }

            if (result.IsError)
            {
                _f.CompleteWithSense(srb, result.Error);
                return;
            }

            srb.DataTransferLength = result.Length;
            _f.Complete(srb, SrbStatus.Success, ScsiStatus.Good);
        }

        /// <summary>GPLPV's default case for an opcode it does not handle: SRB_STATUS_ERROR with ILLEGAL REQUEST / INVALID CDB sense.</summary>
        private void CompleteUnhandled(Srb srb)
        {
            srb.DataTransferLength = 0;
            _f.CompleteWithSense(srb, SenseInfo.Of(SenseKey.IllegalRequest, AdditionalSense.InvalidFieldInCdb));
        }

        private bool BufferInGuest(Srb srb)
            => srb.DataTransferLength == 0
               || (srb.DataAddress < (ulong)_f.Memory.ByteLength && (ulong)srb.DataTransferLength <= (ulong)_f.Memory.ByteLength - srb.DataAddress);

        private Span<byte> DataIn(Srb srb) => srb.DataTransferLength == 0 ? Span<byte>.Empty : _f.Memory.At(srb.DataAddress, srb.DataTransferLength);

        private void StartReadWrite(Srb srb, in ScsiCommand cmd, ScsiDiskInfo disk)
        {
            var check = MediumAccessCheck.Check(cmd, disk);
            if (!check.IsNone)
            {
                _f.CompleteWithSense(srb, check);
                return;
            }

            long bytes = (long)cmd.BlockCount * disk.LogicalBlockSize;
            if (bytes == 0)
            {
                srb.DataTransferLength = 0;
                _f.Complete(srb, SrbStatus.Success, ScsiStatus.Good);
                return;
            }

            if (bytes > srb.DataTransferLength)
            {
                // The CDB asks for more than the buffer holds: scsiport would never send this.
                _f.Complete(srb, SrbStatus.InvalidRequest, ScsiStatus.Good);
                return;
            }

            var ext = Attach(srb);
            ext.Kind = TransferKind.ReadWrite;
            ext.Operation = cmd.Kind == CdbKind.Read ? BlkifOp.Read : BlkifOp.Write;
            ext.StartSector = cmd.Lba * (disk.LogicalBlockSize / BlkifLayout.SectorSize);
            ext.TotalBytes = (int)bytes;

            // Which buffers are granted as they are is the personality's test: the hardened design and the Xen Project
            // driver want whole logical blocks; GPLPV tests DataBuffer & 511 only, so on a 4 KiB-sector disk a buffer
            // 512-aligned but not 4 KiB-aligned goes to the ring as it is and the backend refuses it (misaligned I/O).
            // An untrusted backend never gets the guest's own pages (XSA-403): everything is bounced.
            bool aligned = _f.Personality.BounceAlignment switch
            {
                BounceAlignmentTest.Sector512 => (srb.DataAddress & (BlkifLayout.SectorSize - 1)) == 0,
                BounceAlignmentTest.Always => false,
                _ => (srb.DataAddress & (disk.LogicalBlockSize - 1)) == 0,
            };
            ext.Direct = !_f.Options.UntrustedBackend && aligned;
            ext.Fua = cmd.Fua && ext.Operation == BlkifOp.Write && _f.Personality.Fua == FuaPolicy.WriteThenFlush && _f.Features.CanFlush;
            srb.DataTransferLength = (int)bytes;
            _f.QueueFor(ext).Enqueue(ext);
        }

        private void StartFlush(Srb srb, in ScsiCommand cmd, ScsiDiskInfo disk)
        {
            var check = MediumAccessCheck.Check(cmd, disk);
            if (!check.IsNone)
            {
                _f.CompleteWithSense(srb, check);
                return;
            }

            srb.DataTransferLength = 0;
            if (!_f.Features.CanFlush)
            {
                // Nothing is cached on the way, so without either feature there is nothing to flush.
                _f.Complete(srb, SrbStatus.Success, ScsiStatus.Good);
                return;
            }

            var ext = Attach(srb);
            ext.Kind = TransferKind.Flush;
            ext.Operation = _f.Features.Flush ? BlkifOp.FlushDiskCache : BlkifOp.WriteBarrier;
            ext.WindowBytes = 1;
            _f.QueueFor(ext).Enqueue(ext);
        }

        private void StartUnmap(Srb srb, in ScsiCommand cmd, ScsiDiskInfo disk)
        {
            var check = MediumAccessCheck.Check(cmd, disk);
            if (!check.IsNone)
            {
                _f.CompleteWithSense(srb, check);
                return;
            }

            int listLength = (int)Math.Min(cmd.ParameterListLength, (uint)srb.DataTransferLength);
            var ext = Attach(srb);
            var parsed = UnmapParameterList.Parse(listLength == 0 ? ReadOnlySpan<byte>.Empty : _f.Memory.At(srb.DataAddress, listLength), disk, ext.Extents);
            if (parsed.IsError || parsed.Length == 0)
            {
                _f.Extensions.Free(ext);
                if (parsed.IsError) _f.CompleteWithSense(srb, parsed.Error);
                else _f.Complete(srb, SrbStatus.Success, ScsiStatus.Good);
                return;
            }

            ext.Kind = TransferKind.Discard;
            ext.ExtentCount = parsed.Length;
            srb.DataTransferLength = listLength;
            _f.QueueFor(ext).Enqueue(ext);
        }

        private SrbExtension Attach(Srb srb)
        {
            // AdmitWaiting and Accept only start ring SRBs when an extension is free.
            if (!_f.Extensions.TryAcquire(out var ext)) ThrowHelper.ThrowInvalidOperation("No free SRB extension (queue depth " + _f.Options.QueueDepth + ").");
            ext.Srb = srb;
            srb.Extension = ext;
            return ext;
        }
    }
}
