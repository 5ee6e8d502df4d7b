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
        private void ProcessResponses()
        {
            var front = _front!;
            do
            {
                uint rp = front.Shared.RspProd;
                if (front.ResponseProdOverflow(rp))
                {
                    Fail(FrontendState.Broken, "rsp_prod " + rp + " is more than " + front.Size + " ahead of rsp_cons " + front.RspCons);
                    return;
                }

                while (front.RspCons != rp)
                {
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

        private void OnResponse(in BlkifResponse rsp)
        {
            if (!_shadows.IsValidId(rsp.Id))
            {
                Fail(FrontendState.Broken, "response id " + rsp.Id + " is out of range");
                return;
            }

            var shadow = _shadows[(int)rsp.Id];
            if (shadow.State != ShadowState.InFlight && shadow.State != ShadowState.Orphaned)
            {
                Fail(FrontendState.Broken, "response id " + rsp.Id + " is not pending");
                return;
            }

            if (rsp.Operation != shadow.Operation && !(shadow.Operation == BlkifOp.Indirect && rsp.Operation == shadow.IndirectOperation))
            {
                Fail(FrontendState.Broken, "response id " + rsp.Id + " has operation " + BlkifOp.Name(rsp.Operation) + " for a " + BlkifOp.Name(shadow.Operation) + " request");
                return;
            }

            byte op = shadow.IndirectOperation;
            int bytes = shadow.Bytes;
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
            else if (rsp.Status == BlkifStatus.NotSupported && (op == BlkifOp.FlushDiskCache || op == BlkifOp.WriteBarrier))
            {
                // blkfront's answer to a backend that withdrew the feature: stop asking, the data is written.
                if (op == BlkifOp.FlushDiskCache) FeatureFlush = false;
                else FeatureBarrier = false;
            }
            else if (!ext.Failed)
            {
                ext.Failed = true;
                ext.FailStatus = rsp.Status;
            }

            if (ext.PartsOutstanding == 0) OnPartsDrained(ext);
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
            FreeExtension(ext);
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
