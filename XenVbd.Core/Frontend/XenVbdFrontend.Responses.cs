using XenVbd.Ring;
using XenVbd.Scsi;
using XenVbd.Sim;

namespace XenVbd.Frontend
{
    /// <summary>
    /// Consuming responses, distrustfully (Linux 2021): each response is copied out of the ring once,
    /// and a producer index too far ahead, an id that is not pending or an operation that does not
    /// match marks the device Broken rather than corrupting state or throwing.
    /// </summary>
    public sealed partial class XenVbdFrontend
    {
        /// <summary>Responses one pass may consume from a personality that does not check rsp_prod before the model stops it.</summary>
        private const int UncheckedResponseLimit = 1 << 16;

        private bool ChecksResponses => _p.Responses == ResponseValidation.Hardened || _p.Responses == ResponseValidation.DisableAndLeaveHanging;

        private void ProcessResponses()
        {
            var front = _front!;
            int consumed = 0;
            do
            {
                uint rp = front.Shared.RspProd;
                if (front.ResponseProdOverflow(rp) && ChecksResponses)
                {
                    RejectResponses("rsp_prod " + rp + " is more than " + front.Size + " ahead of rsp_cons " + front.RspCons);
                    return;
                }

                while (front.RspCons != rp)
                {
                    if (++consumed > UncheckedResponseLimit)
                    {
                        // GPLPV and the Xen Project driver walk every slot up to rsp_prod, reading stale ring memory.
                        Stop("rsp_prod " + rp + " is " + (rp - front.RspCons) + " slots ahead of rsp_cons; " + _p.Name
                             + " does not check it and would walk every one of them as a response (the interrupt path never ends); the model stops the device");
                        return;
                    }

                    BlkifCodec.ReadResponse(front.ResponseSlot(front.RspCons), Abi, out var rsp);
                    front.ConsumeResponse();
                    _unansweredTimeouts = 0;
                    _trace.Record(TraceKind.ResponseConsumed, DeviceId, front.RspCons - 1, rsp.Id, rsp.Status, rsp.Operation);
                    if (_state == FrontendState.Probing) OnProbeResponse(rsp);
                    else if (_state == FrontendState.Verifying) OnVerifyResponse(rsp);
                    else OnResponse(rsp);

                    if (_front != front || IsTerminal) return;
                }
            }
            while (front.FinalCheckForResponses());
        }

        /// <summary>A checking personality's verdict on a response no correct backend sends.</summary>
        private void RejectResponses(string reason)
        {
            if (_p.Responses == ResponseValidation.DisableAndLeaveHanging) Disable(reason);
            else Fail(FrontendState.Broken, reason);
        }

        /// <summary>The shadow a response names under this personality, or null when the response is dropped or the device stopped.</summary>
        private Shadow? ShadowFor(in BlkifResponse rsp)
        {
            switch (_p.Responses)
            {
                case ResponseValidation.Unchecked:
                    {
                        ulong index = _p.ShadowIdMask == 0 ? rsp.Id : rsp.Id & _p.ShadowIdMask;
                        if (index >= (ulong)_p.ShadowArrayEntries)
                        {
                            Stop("response id 0x" + rsp.Id.ToString("x") + " indexes shadows[" + index + "] past the driver's " + _p.ShadowArrayEntries
                                 + "-entry shadow array" + (_p.ShadowIdMask != 0 ? " (the id is masked with 0x" + _p.ShadowIdMask.ToString("x") + " only)" : " (the id is not checked)")
                                 + ": " + _p.Name + " reads memory outside its own structures here; the model stops the device instead of guessing what that memory held");
                            return null;
                        }

                        if (index >= (ulong)_shadows.Count || (_shadows[(int)index].State != ShadowState.InFlight && _shadows[(int)index].State != ShadowState.Orphaned))
                        {
                            Stop("response id 0x" + rsp.Id.ToString("x") + " names shadows[" + index + "], which has no request outstanding: "
                                 + _p.Name + " takes that shadow's SRB pointer, which is NULL, and dereferences it (a crash in the guest); the model stops the device");
                            return null;
                        }

                        // Neither the operation nor whether this is the request the backend served is checked: a corrupted
                        // id completes another SRB, whose buffer the backend never filled.
                        return _shadows[(int)index];
                    }

                case ResponseValidation.IgnoreUnknownIds:
                    if (!_shadows.IsValidId(rsp.Id) || (_shadows[(int)rsp.Id].State != ShadowState.InFlight && _shadows[(int)rsp.Id].State != ShadowState.Orphaned))
                    {
                        // win-xenvbd looks the id up on its submitted list and drops a response it does not find.
                        Statistics.IgnoredResponses++;
                        return null;
                    }

                    return _shadows[(int)rsp.Id];
            }

            if (!_shadows.IsValidId(rsp.Id))
            {
                RejectResponses("response id " + rsp.Id + " is out of range");
                return null;
            }

            var shadow = _shadows[(int)rsp.Id];
            if (shadow.State != ShadowState.InFlight && shadow.State != ShadowState.Orphaned)
            {
                RejectResponses("response id " + rsp.Id + " is not pending");
                return null;
            }

            bool opMatches = shadow.Operation == BlkifOp.Indirect
                ? rsp.Operation == shadow.IndirectOperation || (!_p.IndirectResponseEchoesIndirectOp && rsp.Operation == BlkifOp.Indirect)
                : rsp.Operation == shadow.Operation;
            if (!opMatches)
            {
                RejectResponses("response id " + rsp.Id + " has operation " + BlkifOp.Name(rsp.Operation) + " for a " + BlkifOp.Name(shadow.Operation)
                                + (shadow.Operation == BlkifOp.Indirect ? "(" + BlkifOp.Name(shadow.IndirectOperation) + ")" : string.Empty) + " request");
                return null;
            }

            return shadow;
        }

        private void OnResponse(in BlkifResponse rsp)
        {
            var shadow = ShadowFor(rsp);
            if (shadow == null) return;

            byte op = shadow.IndirectOperation;
            int bytes = shadow.Bytes;
            int segments = shadow.Segments;
            bool orphan = shadow.State == ShadowState.Orphaned;
            var ext = shadow.Owner;
            RetireShadow(shadow);
            if (ext == null) return;
            ext.PartsOutstanding--;
            if (orphan)
            {
                // Its SRB was completed by a reset: the response only gives the grants back.
                Statistics.LateResponses++;
                if (ext.State == ExtensionState.Draining && ext.PartsOutstanding == 0) FreeExtension(ext);
                return;
            }

            if (rsp.Status == BlkifStatus.Okay)
            {
                if (op == BlkifOp.Read) Statistics.BytesRead += bytes;
                else if (op == BlkifOp.Write) Statistics.BytesWritten += bytes;
            }
            else if (!TakeNotOkay(op, rsp.Status, segments) && !ext.Failed)
            {
                ext.Failed = true;
                ext.FailStatus = rsp.Status;
            }

            if (ext.PartsOutstanding == 0) OnPartsDrained(ext);
        }

        /// <summary>
        /// A non-OK answer, as the personality takes it: true when the request counts as done (the feature is
        /// withdrawn instead), false when the SRB fails.
        /// </summary>
        private bool TakeNotOkay(byte op, short status, int segments)
        {
            bool flush = op == BlkifOp.FlushDiskCache || op == BlkifOp.WriteBarrier;
            switch (_p.FlushAnswers)
            {
                case FlushAnswerPolicy.Blkfront:
                    if (flush)
                    {
                        // blkif_interrupt: EOPNOTSUPP, or ERROR on an empty flush, is NOTSUPP and then OK; any failure
                        // turns flush and FUA off.
                        FeatureFlush = false;
                        FeatureBarrier = false;
                        return status == BlkifStatus.NotSupported || (status == BlkifStatus.Error && segments == 0);
                    }

                    if (op == BlkifOp.Discard && status == BlkifStatus.NotSupported) FeatureDiscard = false;
                    return false;
                case FlushAnswerPolicy.XenProject:
                    if (status != BlkifStatus.NotSupported) return false;
                    // __BlkifRingCompleteResponse: FrontendRemoveFeature, and the SRB succeeds, whatever the operation.
                    if (op == BlkifOp.FlushDiskCache) FeatureFlush = false;
                    else if (op == BlkifOp.WriteBarrier) FeatureBarrier = false;
                    else if (op == BlkifOp.Discard) FeatureDiscard = false;
                    return true;
                default:
                    if (status != BlkifStatus.NotSupported || !flush) return false;
                    // The hardened design: a backend that withdrew the feature; stop asking, the data is written.
                    if (op == BlkifOp.FlushDiskCache) FeatureFlush = false;
                    else FeatureBarrier = false;
                    return true;
            }
        }

        /// <summary>All requests an SRB had out are back: finish its window, start the next pass, or complete it.</summary>
        private void OnPartsDrained(SrbExtension ext)
        {
            var srb = ext.Srb!;
            switch (ext.Kind)
            {
                case TransferKind.Flush:
                    CompleteTransfer(ext);
                    return;
                case TransferKind.Discard:
                    if (ext.ExtentsIssued == ext.ExtentCount || ext.Failed) CompleteTransfer(ext);
                    return;
            }

            if (ext.WindowOpen && ext.WindowIssued == ext.WindowBytes)
            {
                if (!ext.Direct)
                {
                    if (!ext.Failed && ext.Operation == BlkifOp.Read) CopyWindow(ext, toBounce: false);
                    if (ext.QuarantinedParts == 0)
                    {
                        _bounce.Release(ext);
                        ext.HoldsBounce = false;
                    }
                    else if (!ext.Failed && ext.DoneBytes + ext.WindowBytes < ext.TotalBytes)
                    {
                        // XSA-396: the backend answered but still maps this window's bounce pages, so they
                        // cannot carry the next pass; the SRB fails here and its extension keeps the memory.
                        ext.Failed = true;
                        ext.FailStatus = BlkifStatus.Error;
                    }
                }

                ext.DoneBytes += ext.WindowBytes;
                ext.WindowOpen = false;
                if (!ext.Failed && ext.DoneBytes >= ext.TotalBytes && ext.Fua && (FeatureFlush || FeatureBarrier))
                {
                    // FUA: the data is written; a flush behind it makes it durable before the SRB completes
                    // (blkfront's block layer does the same when the backend offers flush but no FUA).
                    ext.Fua = false;
                    ext.Kind = TransferKind.Flush;
                    ext.Operation = FeatureFlush ? BlkifOp.FlushDiskCache : BlkifOp.WriteBarrier;
                    ext.WindowIssued = 0;
                    ext.WindowBytes = 1;
                    Statistics.FuaFlushes++;
                    if (!ext.InQueue) Enqueue(ext);
                    return;
                }

                if (ext.Failed || ext.DoneBytes >= ext.TotalBytes) CompleteTransfer(ext);
                else if (!ext.InQueue) Enqueue(ext);
                return;
            }

            if (ext.Failed)
            {
                // Failed while the rest of the window still waited for ring room: stop here.
                CompleteTransfer(ext);
            }
        }

        /// <summary>Completes a ring SRB: GOOD, or MEDIUM ERROR sense for a backend error.</summary>
        private void CompleteTransfer(SrbExtension ext)
        {
            var srb = ext.Srb!;
            if (ext.InQueue) RemoveFromQueue(srb);
            bool failed = ext.Failed;
            byte op = ext.Operation;
            var kind = ext.Kind;
            bool resetPending = ext.ResetPending;
            FreeExtension(ext);
            if (resetPending)
            {
                // GPLPV 2012: a shadow a reset marked completes its SRB with BUS RESET when the answer finally comes.
                Complete(srb, SrbStatus.BusReset, ScsiStatus.Good);
                return;
            }

            if (!failed)
            {
                Complete(srb, SrbStatus.Success, ScsiStatus.Good);
                return;
            }

            if (kind == TransferKind.ReadWrite) srb.DataTransferLength = 0;
            ushort asc = op == BlkifOp.Read ? AdditionalSense.UnrecoveredReadError : AdditionalSense.WriteError;
            CompleteWithSense(srb, SenseInfo.Of(SenseKey.MediumError, asc));
        }

        private void RemoveFromQueue(Srb srb)
        {
            Srb? previous = null;
            for (var s = _queue.Head; s != null; previous = s, s = s.NextInQueue)
            {
                if (s != srb) continue;
                _queue.Remove(previous, s);
                break;
            }

            if (srb.Extension != null) srb.Extension.InQueue = false;
        }

        /// <summary>Ends a shadow's grants and frees it; one the backend still maps is quarantined (XSA-396).</summary>
        private void RetireShadow(Shadow shadow)
        {
            if (shadow.State == ShadowState.InFlight || shadow.State == ShadowState.Orphaned) _inFlight--;
            bool allEnded = EndGrants(shadow);
            if (allEnded)
            {
                _shadows.Release(shadow);
            }
            else
            {
                shadow.State = ShadowState.Quarantined;
                _quarantined++;
                var owner = shadow.Owner;
                if (owner != null && owner.HoldsBounce && !owner.Direct)
                {
                    // The still-mapped pages are bounce memory: the owner keeps them until the grants end.
                    owner.QuarantinedParts++;
                }
                else
                {
                    // A direct transfer's pages are the SRB's own buffer; only the grant ref is held back.
                    shadow.Owner = null;
                }
            }
        }

        private bool EndGrants(Shadow shadow)
        {
            bool ok = true;
            for (int i = 0; i < shadow.ActiveGrants; i++)
            {
                if (!_grants.IsActive(shadow.Grefs[i])) continue;
                if (!_grants.EndAccess(shadow.Grefs[i]))
                {
                    Statistics.GrantsStillMapped++;
                    ok = false;
                }
            }

            for (int i = 0; i < shadow.ActiveIndirectGrants; i++)
            {
                if (!_grants.IsActive(shadow.IndirectGrefs[i])) continue;
                if (!_grants.EndAccess(shadow.IndirectGrefs[i]))
                {
                    Statistics.GrantsStillMapped++;
                    ok = false;
                }
            }

            return ok;
        }

        /// <summary>Gives back quarantined ids whose grants the backend has finally let go of.</summary>
        private void RetryQuarantined()
        {
            if (_quarantined == 0) return;
            foreach (var shadow in _shadows.All)
            {
                if (shadow.State != ShadowState.Quarantined) continue;
                if (!EndGrants(shadow)) continue;
                var owner = shadow.Owner;
                _quarantined--;
                _shadows.Release(shadow);
                if (owner == null) continue;
                owner.QuarantinedParts--;
                // Now provably unmapped: the bounce memory may go to the next SRB.
                if (owner.QuarantinedParts == 0 && owner.State == ExtensionState.Draining && owner.PartsOutstanding == 0) FreeExtension(owner);
            }
        }

        /// <summary>Shadows in <see cref="ShadowState.Quarantined"/>, kept as a count so the interrupt path need not scan.</summary>
        private int _quarantined;

        /// <summary>Ids held back because the backend kept a grant mapped.</summary>
        public int QuarantinedRequestIds => _shadows.CountIn(ShadowState.Quarantined);
    }
}
