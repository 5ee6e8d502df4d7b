using System.Collections.Generic;
using XenVbd.Scsi;
using XenVbd.Sim;

namespace XenVbd.Frontend
{
    /// <summary>
    /// Bus and device reset and the terminal states (the Xen Project driver keeps its reset in adapter.c and target.c):
    /// what a reset completes is the personality's (<see cref="FrontendBehaviours.UnansweredRequests"/>); Broken,
    /// LayoutMismatch and Stopped fail, disable or freeze the pending SRBs, each exactly once or not at all.
    /// </summary>
    internal sealed class Recovery
    {
        /// <summary>The frontend that owns this part.</summary>
        private readonly XenVbdFrontend _f;

        public Recovery(XenVbdFrontend frontend) => _f = frontend;

        /// <summary>
        /// SCSI bus reset, as the personality's driver does it. The hardened design (and GPLPV 2013, the Xen Project
        /// driver) complete every queued and in-flight SRB now with BUS RESET; requests already on the ring stay there as
        /// orphans whose late responses only release grants. GPLPV 2012 completes queued SRBs only and lets in-flight
        /// ones wait for their answer; GPLPV 2008 and blkfront do nothing.
        /// </summary>
        public void ResetBus()
        {
            _f.Statistics.Resets++;
            _f.Trace.Record(TraceKind.Reset, _f.DeviceId, (uint)_f.RequestsInFlight);
            ApplyResetPolicy(null);
            _f.Pump();
        }

        /// <summary>
        /// A device reset from the user (Reset-VbdDevice): the bus reset, and under the hardened design a way back —
        /// a Broken device, or one whose ring slots or request ids are all held by requests the backend never answered,
        /// closes and reconnects its side through XenBus (the backend then lets go of the old ring), so it is Ready again.
        /// Returns whether a reconnect was started.
        /// </summary>
        public bool ResetDevice()
        {
            var ring = _f.Ring;
            var xenbus = _f.XenBus;
            var state = _f.State;
            bool wedged = ring.IsAttached && ring.Shadows.CountIn(ShadowState.Orphaned) > 0 && ring.IsFull;
            bool recover = _f.Personality.UnansweredRequests == UnansweredRequestPolicy.Hardened
                           && !xenbus.IsForcedClosing && ring.IsAttached && (state == FrontendState.Broken || state == FrontendState.Stopped || wedged);
            ResetBus();
            if (!recover || !ring.IsAttached || xenbus.IsForcedClosing) return false;
            xenbus.BeginForcedClose(XenbusHandshake.ForcedByReset, ring.Shadows.CountIn(ShadowState.Orphaned));
            return true;
        }

        /// <summary>ScsiRestartAdapter: the port driver restarts the adapter with nothing outstanding; the detector is the probe's to reset.</summary>
        public void RestartAdapter()
        {
            if (!_f.IsIdle)
                ThrowHelper.ThrowInvalidOperation("The port driver restarts an adapter only with no I/O outstanding; " + _f.PendingSrbs + " SRB(s) are pending and "
                                                  + _f.RequestsInFlight + " request(s) are on the ring.");
            _f.Probe.Restart();
        }

        /// <summary>The personality's bus reset; <paramref name="timedOut"/> (if any) is the SRB whose timeout triggered it.</summary>
        public void ApplyResetPolicy(Srb? timedOut)
        {
            switch (_f.Personality.UnansweredRequests)
            {
                case UnansweredRequestPolicy.ResetDoesNothing:
                case UnansweredRequestPolicy.NoTimeout:
                    return;
                case UnansweredRequestPolicy.ResetCompletesQueuedOnly:
                {
                    // XenVbd_HwScsiResetBus (2012): the srb_list is completed, in-flight shadows only marked reset.
                    // GPLPV 2012 has one queue.
                    var queue = _f.Ring.Queue;
                    Srb? previous = null;
                    for (var srb = queue.Head; srb != null;)
                    {
                        var next = srb.NextInQueue;
                        var ext = srb.Extension!;
                        if (ext.PartsOutstanding == 0 && ext.DoneBytes == 0 && !ext.WindowOpen)
                        {
                            queue.Remove(previous, srb);
                            ext.InQueue = false;
                            _f.Extensions.Free(ext);
                            _f.Complete(srb, SrbStatus.BusReset, ScsiStatus.Good);
                        }
                        else
                        {
                            previous = srb;
                        }

                        srb = next;
                    }

                    while (_f.Scsi.DequeueWaiting() is Srb waiting) _f.Complete(waiting, SrbStatus.BusReset, ScsiStatus.Good);
                    foreach (var ext in _f.Extensions.All)
                        if (ext.State == ExtensionState.Active && ext.PartsOutstanding > 0) ext.ResetPending = true;
                    return;
                }

                default:
                    foreach (var srb in DetachAllPending())
                        _f.Complete(srb, srb == timedOut ? SrbStatus.Timeout : SrbStatus.BusReset, ScsiStatus.Good);
                    UpdateOrphanWarning();
                    return;
            }
        }

        /// <summary>Says how many ring slots unanswered requests hold, and what it means under this personality.</summary>
        public void UpdateOrphanWarning()
        {
            int orphans = _f.CountShadows(ShadowState.Orphaned);
            if (orphans == 0 || !_f.Ring.IsAttached) return;
            _f.Warning = orphans + " request(s) the backend never answered hold " + orphans + " of " + _f.Ring.Front.Size + " ring slots"
                      + (_f.Personality.UnansweredRequests == UnansweredRequestPolicy.Hardened
                          ? "; an SRB that waits a request timeout for a slot only they hold fails with TIMEOUT, and Reset-VbdDevice reconnects to get them back"
                          : "; " + _f.Personality.Name + " never gets them back: when they are all gone the device hangs");
        }

        /// <summary>Enters Broken or LayoutMismatch: every pending SRB fails once, nothing more goes on the ring.</summary>
        public void Fail(FrontendState state, string reason)
        {
            if (_f.IsTerminal) return;
            _f.TransitionTo(state);
            _f.FailureReason = reason;
            _f.Trace.Record(TraceKind.Broken, _f.DeviceId, (uint)state);
            var sense = SenseInfo.Of(SenseKey.HardwareError, AdditionalSense.InternalTargetFailure);
            foreach (var srb in DetachAllPending()) _f.CompleteWithSense(srb, sense);
        }

        /// <summary>
        /// Linux blkfront's BLKIF_STATE_ERROR ("disabled for further use"): nothing more goes on the ring and nothing
        /// outstanding completes; new SRBs wait. A reconnect (resume, migration) brings the device back.
        /// </summary>
        public void Disable(string reason)
        {
            if (_f.IsTerminal) return;
            _f.TransitionTo(FrontendState.Broken);
            _f.FailureReason = reason;
            _f.Trace.Record(TraceKind.Broken, _f.DeviceId, (uint)FrontendState.Broken);
        }

        /// <summary>
        /// Stops the simulated driver where the real one would read outside its own memory or crash: the reason
        /// says exactly where; nothing pending completes (the checkers name those SRBs as hung), new SRBs get
        /// HARDWARE ERROR. Never a crash of the host process.
        /// </summary>
        public void Stop(string reason)
        {
            if (_f.IsTerminal) return;
            _f.TransitionTo(FrontendState.Stopped);
            _f.FailureReason = reason;
            _f.Trace.Record(TraceKind.Broken, _f.DeviceId, (uint)FrontendState.Stopped);
        }

        /// <summary>
        /// Takes every queued, active and waiting SRB away from the driver: requests already on the
        /// ring become orphans whose late responses only release grants. The caller completes each
        /// SRB it yields exactly once. Off the I/O path (reset and failure only), so the iterator may allocate.
        /// </summary>
        private IEnumerable<Srb> DetachAllPending()
        {
            foreach (var ring in _f.Rings)
            {
                while (ring.Queue.Dequeue() is Srb queued)
                {
                    if (queued.Extension != null) queued.Extension.InQueue = false;
                }
            }

            foreach (var ext in _f.Extensions.All)
            {
                if (ext.State != ExtensionState.Active) continue;
                var srb = ext.Srb!;
                ext.Srb = null;
                if (ext.PartsOutstanding > 0)
                {
                    _f.Extensions.MarkDraining(ext);
                    foreach (var ring in _f.Rings)
                        foreach (var shadow in ring.Shadows.All)
                            if (shadow.State == ShadowState.InFlight && shadow.Owner == ext) shadow.State = ShadowState.Orphaned;
                }
                else
                {
                    _f.Extensions.Free(ext);
                }

                yield return srb;
            }

            while (_f.Scsi.DequeueWaiting() is Srb waiting) yield return waiting;
        }
    }
}
