using System.Collections.Generic;
using XenVbd.Scsi;
using XenVbd.Sim;

namespace XenVbd.Frontend
{
    /// <summary>Watchdog, bus reset and the terminal states: every pending SRB completes exactly once.</summary>
    public sealed partial class XenVbdFrontend
    {
        /// <summary>
        /// SCSI bus reset, as the personality's driver does it. The hardened design (and GPLPV 2013, the Xen Project
        /// driver) complete every queued and in-flight SRB now with BUS RESET; requests already on the ring stay there as
        /// orphans whose late responses only release grants. GPLPV 2012 completes queued SRBs only and lets in-flight
        /// ones wait for their answer; GPLPV 2008 and blkfront do nothing.
        /// </summary>
        public void ResetBus()
        {
            Statistics.Resets++;
            _trace.Record(TraceKind.Reset, DeviceId, (uint)_inFlight);
            ApplyResetPolicy(null);
            Pump();
        }

        /// <summary>
        /// A device reset from the user (Reset-VbdDevice): the bus reset, and under the hardened design a way back —
        /// a Broken device, or one whose ring slots or request ids are all held by requests the backend never answered,
        /// closes and reconnects its side through XenBus (the backend then lets go of the old ring), so it is Ready again.
        /// Returns whether a reconnect was started.
        /// </summary>
        public bool ResetDevice()
        {
            bool wedged = _front != null && _shadows.CountIn(ShadowState.Orphaned) > 0 && (_front.IsFull || _shadows.FreeCount == 0);
            bool recover = _p.UnansweredRequests == UnansweredRequestPolicy.Hardened
                           && !_forcedClose && _front != null && (_state == FrontendState.Broken || _state == FrontendState.Stopped || wedged);
            ResetBus();
            if (!recover || _front == null || _forcedClose) return false;
            BeginForcedClose(ForcedByReset, _shadows.CountIn(ShadowState.Orphaned));
            return true;
        }

        /// <summary>The personality's bus reset; <paramref name="timedOut"/> (if any) is the SRB whose timeout triggered it.</summary>
        private void ApplyResetPolicy(Srb? timedOut)
        {
            switch (_p.UnansweredRequests)
            {
                case UnansweredRequestPolicy.ResetDoesNothing:
                case UnansweredRequestPolicy.NoTimeout:
                    return;
                case UnansweredRequestPolicy.ResetCompletesQueuedOnly:
                    {
                        // XenVbd_HwScsiResetBus (2012): the srb_list is completed, in-flight shadows only marked reset.
                        Srb? previous = null;
                        for (var srb = _queue.Head; srb != null;)
                        {
                            var next = srb.NextInQueue;
                            var ext = srb.Extension!;
                            if (ext.PartsOutstanding == 0 && ext.DoneBytes == 0 && !ext.WindowOpen)
                            {
                                _queue.Remove(previous, srb);
                                ext.InQueue = false;
                                FreeExtension(ext);
                                Complete(srb, SrbStatus.BusReset, ScsiStatus.Good);
                            }
                            else
                            {
                                previous = srb;
                            }

                            srb = next;
                        }

                        while (_waiting.Dequeue() is Srb waiting) Complete(waiting, SrbStatus.BusReset, ScsiStatus.Good);
                        foreach (var ext in _extensions)
                            if (ext.State == ExtensionState.Active && ext.PartsOutstanding > 0) ext.ResetPending = true;
                        return;
                    }

                default:
                    CompleteAllPending(SrbStatus.BusReset, timedOut);
                    UpdateOrphanWarning();
                    return;
            }
        }

        /// <summary>Says how many ring slots unanswered requests hold, and what it means under this personality.</summary>
        private void UpdateOrphanWarning()
        {
            int orphans = _shadows.CountIn(ShadowState.Orphaned);
            if (orphans == 0 || _front == null) return;
            Warning = orphans + " request(s) the backend never answered hold " + orphans + " of " + _front.Size + " ring slots"
                      + (_p.UnansweredRequests == UnansweredRequestPolicy.Hardened
                          ? "; an SRB that waits a request timeout for a slot only they hold fails with TIMEOUT, and Reset-VbdDevice reconnects to get them back"
                          : "; " + _p.Name + " never gets them back: when they are all gone the device hangs");
        }

        private void CompleteAllPending(SrbStatus status, Srb? timedOut)
        {
            foreach (var srb in DetachAllPending())
                Complete(srb, srb == timedOut ? SrbStatus.Timeout : status, ScsiStatus.Good);
        }

        /// <summary>Enters Broken or LayoutMismatch: every pending SRB fails once, nothing more goes on the ring.</summary>
        private void Fail(FrontendState state, string reason)
        {
            if (IsTerminal) return;
            _state = state;
            FailureReason = reason;
            _trace.Record(TraceKind.Broken, DeviceId, (uint)state);
            var sense = SenseInfo.Of(SenseKey.HardwareError, AdditionalSense.InternalTargetFailure);
            foreach (var srb in DetachAllPending()) CompleteWithSense(srb, sense);
        }

        /// <summary>
        /// Linux blkfront's BLKIF_STATE_ERROR ("disabled for further use"): nothing more goes on the ring and nothing
        /// outstanding completes; new SRBs wait. A reconnect (resume, migration) brings the device back.
        /// </summary>
        private void Disable(string reason)
        {
            if (IsTerminal) return;
            _state = FrontendState.Broken;
            FailureReason = reason;
            _trace.Record(TraceKind.Broken, DeviceId, (uint)_state);
        }

        /// <summary>
        /// Stops the simulated driver where the real one would read outside its own memory or crash: the reason
        /// says exactly where; nothing pending completes (the checkers name those SRBs as hung), new SRBs get
        /// HARDWARE ERROR. Never a crash of the host process.
        /// </summary>
        private void Stop(string reason)
        {
            if (IsTerminal) return;
            _state = FrontendState.Stopped;
            FailureReason = reason;
            _trace.Record(TraceKind.Broken, DeviceId, (uint)_state);
        }

        /// <summary>
        /// Takes every queued, active and waiting SRB away from the driver: requests already on the
        /// ring become orphans whose late responses only release grants. The caller completes each
        /// SRB it yields exactly once. Off the I/O path (reset and failure only), so the iterator may allocate.
        /// </summary>
        private IEnumerable<Srb> DetachAllPending()
        {
            while (_queue.Dequeue() is Srb queued)
            {
                if (queued.Extension != null) queued.Extension.InQueue = false;
            }

            foreach (var ext in _extensions)
            {
                if (ext.State != ExtensionState.Active) continue;
                var srb = ext.Srb!;
                ext.Srb = null;
                if (ext.PartsOutstanding > 0)
                {
                    MarkDraining(ext);
                    foreach (var shadow in _shadows.All)
                        if (shadow.State == ShadowState.InFlight && shadow.Owner == ext) shadow.State = ShadowState.Orphaned;
                }
                else
                {
                    FreeExtension(ext);
                }

                yield return srb;
            }

            while (_waiting.Dequeue() is Srb waiting) yield return waiting;
        }

        private void ArmWatchdog()
        {
            if (_watchdogArmed) return;
            _watchdogArmed = true;
            _scheduler.Schedule(System.Math.Max(1, _timeoutTicks / 4), this, KindWatchdog);
        }

        /// <summary>
        /// One timer for all requests (a timer per request would grow the event heap on the I/O path):
        /// it ticks every quarter timeout while anything is out, so a request is noticed between 1× and 1.25× the timeout.
        /// </summary>
        private void OnWatchdog()
        {
            _watchdogArmed = false;
            // A forced close hands everything on the ring back in Disconnect; nothing times out meanwhile.
            if (_disposed || _front == null || _forcedClose) return;
            long now = _scheduler.Now;
            if (_state == FrontendState.Stopped) return;
            if (_state == FrontendState.Probing && now - _probeStart >= _timeoutTicks)
            {
                Statistics.Timeouts++;
                if (_p.StuckProbe == StuckProbePolicy.Hang)
                {
                    // GPLPV has no timeout on its probe: reads and writes wait for ever. Say so; do not tick again.
                    Warning = "the ABI probe got no answer within " + _options.RequestTimeout + "; " + _p.Name + " waits for it for ever, and reads and writes with it";
                    _trace.Record(TraceKind.Timeout, DeviceId, 0, 0, now - _probeStart);
                    return;
                }

                Fail(FrontendState.Broken, "the ABI probe got no answer within " + _options.RequestTimeout);
                return;
            }

            if (_state == FrontendState.Verifying && now - _verifyStart >= _timeoutTicks)
            {
                Statistics.Timeouts++;
                Fail(FrontendState.Broken, "the layout check read got no answer within " + _options.RequestTimeout);
                return;
            }

            Srb? timedOut = null;
            bool timeouts = _p.UnansweredRequests != UnansweredRequestPolicy.NoTimeout;
            foreach (var shadow in _shadows.All)
            {
                if (timeouts && shadow.State == ShadowState.InFlight && !shadow.TimeoutSeen && now - shadow.IssuedTicks >= _timeoutTicks)
                {
                    timedOut = shadow.Owner?.Srb;
                    _trace.Record(TraceKind.Timeout, DeviceId, shadow.RingIndex, (ulong)shadow.Id, now - shadow.IssuedTicks);
                    break;
                }
            }

            if (timedOut != null)
            {
                Statistics.Timeouts++;
                Statistics.Resets++;
                _trace.Record(TraceKind.Reset, DeviceId, (uint)_inFlight);
                // The close starts first, so SRBs the completions below resubmit wait for the new connection.
                bool forced = CountUnansweredTimeout();
                // A request a reset leaves on the ring (GPLPV 2008 and 2012) times out once; after that it simply hangs.
                foreach (var shadow in _shadows.All)
                    if (shadow.State == ShadowState.InFlight && now - shadow.IssuedTicks >= _timeoutTicks) shadow.TimeoutSeen = true;
                ApplyResetPolicy(timedOut);
                Pump();
                if (forced) return;
            }

            bool ringWaiters = FailRingWaitersPastTimeout(now);

            RetryQuarantined();
            if (PinnedPastReconnectBound(now)) return;
            bool waiters = FailBounceWaitersPastTimeout(now);
            if (InFlightNotTimedOut() || waiters || ringWaiters || _state == FrontendState.Probing || _state == FrontendState.Verifying) ArmWatchdog();
        }

        /// <summary>Requests the watchdog still has to watch: in flight and not yet past a timeout a reset left alone.</summary>
        private bool InFlightNotTimedOut()
        {
            if (_p.UnansweredRequests == UnansweredRequestPolicy.NoTimeout) return false;
            foreach (var shadow in _shadows.All)
                if (shadow.State == ShadowState.InFlight && !shadow.TimeoutSeen) return true;
            return false;
        }

        /// <summary>
        /// The hardened design's bound on a wait for a ring slot: when no request is in flight and the ring (or the
        /// request ids) are full of requests a reset orphaned, nothing but a late answer or a reconnect frees a slot. A
        /// queued SRB that has waited a request timeout then completes with SRB_STATUS_TIMEOUT, as a bounce-memory waiter
        /// does, and <see cref="Warning"/> says why. Returns whether SRBs still wait for a slot (the watchdog keeps ticking).
        /// </summary>
        private bool FailRingWaitersPastTimeout(long now)
        {
            if (_p.UnansweredRequests != UnansweredRequestPolicy.Hardened || _state != FrontendState.Ready || _front == null) return false;
            if (_queue.Head == null || _shadows.CountIn(ShadowState.Orphaned) == 0 || _shadows.CountIn(ShadowState.InFlight) > 0) return false;
            if (!_front.IsFull && _shadows.FreeCount > 0) return false;
            UpdateOrphanWarning();
            bool failed = false;
            Srb? previous = null;
            for (var srb = _queue.Head; srb != null;)
            {
                var next = srb.NextInQueue;
                var ext = srb.Extension!;
                if (ext.PartsOutstanding == 0 && now - srb.StartTicks >= _timeoutTicks)
                {
                    _queue.Remove(previous, srb);
                    ext.InQueue = false;
                    FreeExtension(ext);
                    Statistics.RingWaitTimeouts++;
                    _trace.Record(TraceKind.Timeout, DeviceId, 0, (ulong)ext.Index, now - srb.StartTicks);
                    Complete(srb, SrbStatus.Timeout, ScsiStatus.Good);
                    failed = true;
                }
                else
                {
                    previous = srb;
                }

                srb = next;
            }

            if (failed) Pump();
            return _queue.Head != null;
        }

        /// <summary>
        /// Finding F3. An SRB waiting for bounce memory normally waits for an SRB whose requests are in
        /// flight — those time out and reset, which completes the waiter too. But memory held by a request
        /// a reset already orphaned (or by pages the backend keeps mapped, XSA-396) is freed only by that
        /// request's late response or by a reconnect, because until then the backend may still write into
        /// it and it must not carry another SRB's data. Reserving more memory up front would only move the
        /// limit (every spare can be pinned the same way) and a reconnect would throw away the other SRBs'
        /// in-flight work on a backend that is still answering — so by default the frontend keeps the memory
        /// pinned and bounds the wait instead (the opt-in forced reconnect, run just before this, is the other
        /// answer for devices that choose it): a waiter that has waited a whole request timeout while
        /// bounce memory is pinned completes with SRB_STATUS_TIMEOUT (the class driver retries it, as after
        /// any timeout). Returns whether SRBs still wait for bounce memory or an extension (the watchdog keeps ticking).
        /// </summary>
        private bool FailBounceWaitersPastTimeout(long now)
        {
            bool pinned = false, waiting = false, draining = false;
            foreach (var ext in _extensions)
            {
                if (ext.State == ExtensionState.Draining)
                {
                    draining = true;
                    if (ext.HoldsBounce) pinned = true;
                }
                else if (ext.State == ExtensionState.Active && ext.BounceWaitSince >= 0)
                {
                    waiting = true;
                }
            }

            // The same holds one level up: with every extension taken and some of them draining orphans
            // that may never be answered, SRBs in the waiting queue wait for an extension; bound that too.
            bool failed = false;
            if (_state == FrontendState.Ready && _waiting.Count > 0 && _freeExtensionCount == 0)
            {
                waiting = true;
                if (draining)
                {
                    Srb? previous = null;
                    for (var srb = _waiting.Head; srb != null;)
                    {
                        var next = srb.NextInQueue;
                        if (now - srb.StartTicks >= _timeoutTicks)
                        {
                            _waiting.Remove(previous, srb);
                            Statistics.BounceWaitTimeouts++;
                            Complete(srb, SrbStatus.Timeout, ScsiStatus.Good);
                            failed = true;
                        }
                        else
                        {
                            previous = srb;
                        }

                        srb = next;
                    }
                }
            }

            if (!waiting) return false;
            if (!pinned)
            {
                if (failed) Pump();
                return true;
            }

            foreach (var ext in _extensions)
            {
                if (ext.State != ExtensionState.Active || ext.BounceWaitSince < 0 || ext.WindowOpen || ext.PartsOutstanding > 0) continue;
                if (now - ext.BounceWaitSince < _timeoutTicks) continue;
                var srb = ext.Srb!;
                if (ext.InQueue) RemoveFromQueue(srb);
                FreeExtension(ext);
                Statistics.BounceWaitTimeouts++;
                _trace.Record(TraceKind.Timeout, DeviceId, 0, (ulong)ext.Index, now - ext.BounceWaitSince);
                Complete(srb, SrbStatus.Timeout, ScsiStatus.Good);
                failed = true;
            }

            if (failed) Pump();
            return true;
        }

        /// <summary>The ring as the frontend sees it now (allocates; for people and tests).</summary>
        public RingSnapshot? GetRing()
        {
            var front = _front;
            if (front == null) return null;
            var slots = new List<RingSlotInfo>();
            foreach (var shadow in _shadows.All)
            {
                if (shadow.State != ShadowState.InFlight && shadow.State != ShadowState.Orphaned) continue;
                slots.Add(new RingSlotInfo(shadow.RingIndex, (int)(shadow.RingIndex & (uint)(front.Size - 1)), shadow.Id, shadow.Operation, shadow.Sector, shadow.Segments, shadow.State == ShadowState.Orphaned, _scheduler.Now - shadow.IssuedTicks));
            }

            slots.Sort((a, b) => a.RingIndex.CompareTo(b.RingIndex));
            return new RingSnapshot(Abi, RingPageOrder, front.Size, front.Shared.Snapshot(), front.ReqProdPvt, front.RspCons, slots);
        }
    }
}
