using XenVbd.Scsi;
using XenVbd.Sim;

namespace XenVbd.Frontend
{
    /// <summary>
    /// The frontend's one timer (a timer per request would grow the event heap on the I/O path): it ticks every quarter
    /// request timeout while anything is out, so a request is noticed between 1× and 1.25× the timeout. A timed-out
    /// request resets the bus as the personality's driver does (<see cref="FrontendBehaviours.UnansweredRequests"/>); a
    /// stuck probe hangs or breaks the device (<see cref="FrontendBehaviours.StuckProbe"/>); and the hardened design
    /// bounds waits for ring slots, bounce memory and extensions that only a late answer or a reconnect could end, and
    /// starts the opt-in forced reconnect.
    /// </summary>
    internal sealed class Watchdog
    {
        /// <summary>The frontend that owns this part.</summary>
        private readonly XenVbdFrontend _f;

        /// <summary>A tick is scheduled; at most one is.</summary>
        private bool _armed;

        /// <summary>Request timeouts in a row with no response consumed in between (reset by any response).</summary>
        private int _unansweredTimeouts;

        public Watchdog(XenVbdFrontend frontend) => _f = frontend;

        /// <summary>Schedules the next tick unless one is already scheduled.</summary>
        public void Arm()
        {
            if (_armed) return;
            _armed = true;
            _f.Scheduler.Schedule(System.Math.Max(1, _f.TimeoutTicks / 4), _f, XenVbdFrontend.KindWatchdog);
        }

        /// <summary>A response came, a connect or a forced close: the forced-reconnect count starts again.</summary>
        public void ResetUnansweredCount() => _unansweredTimeouts = 0;

        public void OnTick()
        {
            _armed = false;
            // A forced close hands everything on the ring back in Disconnect; nothing times out meanwhile.
            if (_f.IsDisposed || !_f.Ring.IsAttached || _f.XenBus.IsForcedClosing) return;
            long now = _f.Scheduler.Now;
            long timeout = _f.TimeoutTicks;
            var p = _f.Personality;
            var state = _f.State;
            if (state == FrontendState.Stopped) return;
            if (state == FrontendState.Probing && now - _f.Probe.StartTicks >= timeout)
            {
                _f.Statistics.Timeouts++;
                if (p.StuckProbe == StuckProbePolicy.Hang)
                {
                    // GPLPV has no timeout on its probe: reads and writes wait for ever. Say so; do not tick again.
                    _f.Warning = "the ABI probe got no answer within " + _f.Options.RequestTimeout + "; " + p.Name + " waits for it for ever, and reads and writes with it";
                    _f.Trace.Record(TraceKind.Timeout, _f.DeviceId, 0, 0, now - _f.Probe.StartTicks);
                    return;
                }

                _f.Recovery.Fail(FrontendState.Broken, "the ABI probe got no answer within " + _f.Options.RequestTimeout);
                return;
            }

            if (state == FrontendState.Verifying && now - _f.Probe.StartTicks >= timeout)
            {
                _f.Statistics.Timeouts++;
                _f.Recovery.Fail(FrontendState.Broken, "the layout check read got no answer within " + _f.Options.RequestTimeout);
                return;
            }

            Srb? timedOut = null;
            bool timeouts = p.UnansweredRequests != UnansweredRequestPolicy.NoTimeout;
            // Every queue's requests (each queue has its own shadows).
            foreach (var ring in _f.Rings)
            {
                foreach (var shadow in ring.Shadows.All)
                {
                    if (timeouts && shadow.State == ShadowState.InFlight && !shadow.TimeoutSeen && now - shadow.IssuedTicks >= timeout)
                    {
                        timedOut = shadow.Owner?.Srb;
                        _f.Trace.Record(TraceKind.Timeout, _f.DeviceId, shadow.RingIndex, (ulong)shadow.Id, now - shadow.IssuedTicks, ring.Index);
                        break;
                    }
                }

                if (timedOut != null) break;
            }

            if (timedOut != null)
            {
                _f.Statistics.Timeouts++;
                _f.Statistics.Resets++;
                _f.Trace.Record(TraceKind.Reset, _f.DeviceId, (uint)_f.RequestsInFlight);
                // The close starts first, so SRBs the completions below resubmit wait for the new connection.
                bool forced = CountUnansweredTimeout();
                // A request a reset leaves on the ring (GPLPV 2008 and 2012) times out once; after that it simply hangs.
                foreach (var ring in _f.Rings)
                    foreach (var shadow in ring.Shadows.All)
                        if (shadow.State == ShadowState.InFlight && now - shadow.IssuedTicks >= timeout) shadow.TimeoutSeen = true;
                _f.Recovery.ApplyResetPolicy(timedOut);
                _f.Pump();
                if (forced) return;
            }

            bool ringWaiters = FailRingWaitersPastTimeout(now);

            _f.Granter.RetryQuarantined();
            if (PinnedPastReconnectBound(now)) return;
            bool waiters = FailBounceWaitersPastTimeout(now);
            state = _f.State;
            if (InFlightNotTimedOut() || waiters || ringWaiters || state == FrontendState.Probing || state == FrontendState.Verifying) Arm();
        }

        /// <summary>Requests the watchdog still has to watch: in flight and not yet past a timeout a reset left alone.</summary>
        private bool InFlightNotTimedOut()
        {
            if (_f.Personality.UnansweredRequests == UnansweredRequestPolicy.NoTimeout) return false;
            foreach (var ring in _f.Rings)
                foreach (var shadow in ring.Shadows.All)
                    if (shadow.State == ShadowState.InFlight && !shadow.TimeoutSeen) return true;
            return false;
        }

        /// <summary>Called once per watchdog timeout; starts a forced close when the policy's count is reached.</summary>
        private bool CountUnansweredTimeout()
        {
            int limit = _f.Options.ReconnectAfterUnansweredTimeouts;
            if (limit == 0) return false;
            _unansweredTimeouts++;
            if (_unansweredTimeouts < limit || _f.State != FrontendState.Ready) return false;
            _f.XenBus.BeginForcedClose(XenbusHandshake.ForcedByUnansweredTimeouts, _unansweredTimeouts);
            return true;
        }

        /// <summary>
        /// The forced reconnect's second trigger: an SRB waits for bounce memory (or for an extension) that requests of
        /// this connection have pinned for the policy's number of request timeouts. Only this connection's: memory still
        /// pinned after a reconnect is held by a backend that keeps pages mapped across a disconnect, which another
        /// reconnect would not change, so it is left to the F3 bound (the waiters time out).
        /// </summary>
        private bool PinnedPastReconnectBound(long now)
        {
            int limit = _f.Options.ReconnectAfterUnansweredTimeouts;
            long timeout = _f.TimeoutTicks;
            if (limit == 0 || _f.State != FrontendState.Ready) return false;
            if (timeout > long.MaxValue / limit) return false;
            long bound = timeout * limit;
            var extensions = _f.Extensions.All;
            bool bounceWaiter = false;
            foreach (var ext in extensions)
            {
                if (ext.State == ExtensionState.Active && ext.BounceWaitSince >= 0)
                {
                    bounceWaiter = true;
                    break;
                }
            }

            bool extensionWaiter = _f.Scsi.WaitingCount > 0 && _f.Extensions.FreeCount == 0;
            if (!bounceWaiter && !extensionWaiter) return false;
            int generation = _f.Generation;
            foreach (var ext in extensions)
            {
                if (ext.State != ExtensionState.Draining || ext.DrainingGeneration != generation) continue;
                if (!extensionWaiter && !ext.HoldsBounce) continue;
                long pinned = now - ext.DrainingSince;
                if (pinned < bound) continue;
                _f.XenBus.BeginForcedClose(XenbusHandshake.ForcedByPinnedMemory, pinned);
                return true;
            }

            return false;
        }

        /// <summary>
        /// The hardened design's bound on a wait for a ring slot: when no request is in flight and the ring (or the
        /// request ids) are full of requests a reset orphaned, nothing but a late answer or a reconnect frees a slot. A
        /// queued SRB that has waited a request timeout then completes with SRB_STATUS_TIMEOUT, as a bounce-memory waiter
        /// does, and <see cref="XenVbdFrontend.Warning"/> says why. Returns whether SRBs still wait for a slot (the watchdog keeps ticking).
        /// </summary>
        private bool FailRingWaitersPastTimeout(long now)
        {
            // The hardened design only (checked below), which has one queue.
            var ring = _f.Ring;
            var shadows = ring.Shadows;
            var queue = ring.Queue;
            if (_f.Personality.UnansweredRequests != UnansweredRequestPolicy.Hardened || _f.State != FrontendState.Ready || !ring.IsAttached) return false;
            if (queue.Head == null || shadows.CountIn(ShadowState.Orphaned) == 0 || shadows.CountIn(ShadowState.InFlight) > 0) return false;
            if (!ring.IsFull) return false;
            _f.Recovery.UpdateOrphanWarning();
            bool failed = false;
            Srb? previous = null;
            for (var srb = queue.Head; srb != null;)
            {
                var next = srb.NextInQueue;
                var ext = srb.Extension!;
                if (ext.PartsOutstanding == 0 && now - srb.StartTicks >= _f.TimeoutTicks)
                {
                    queue.Remove(previous, srb);
                    ext.InQueue = false;
                    _f.Extensions.Free(ext);
                    _f.Statistics.RingWaitTimeouts++;
                    _f.Trace.Record(TraceKind.Timeout, _f.DeviceId, 0, (ulong)ext.Index, now - srb.StartTicks);
                    _f.Complete(srb, SrbStatus.Timeout, ScsiStatus.Good);
                    failed = true;
                }
                else
                {
                    previous = srb;
                }

                srb = next;
            }

            if (failed) ring.Pump();
            return queue.Head != null;
        }

        /// <summary>
        /// Finding F3. An SRB waiting for bounce memory normally waits for an SRB whose requests are in flight — those
        /// time out and reset, which completes the waiter too. But memory held by a request a reset already orphaned (or
        /// by pages the backend keeps mapped, XSA-396) is freed only by that request's late response or by a reconnect,
        /// because until then the backend may still write into it and it must not carry another SRB's data. Reserving
        /// more memory up front would only move the limit (every spare can be pinned the same way) and a reconnect would
        /// throw away the other SRBs' in-flight work on a backend that is still answering — so by default the frontend
        /// keeps the memory pinned and bounds the wait instead (the opt-in forced reconnect, run just before this, is the
        /// other answer for devices that choose it): a waiter that has waited a whole request timeout while bounce memory
        /// is pinned completes with SRB_STATUS_TIMEOUT (the class driver retries it, as after any timeout). Returns
        /// whether SRBs still wait for bounce memory or an extension (the watchdog keeps ticking).
        /// </summary>
        private bool FailBounceWaitersPastTimeout(long now)
        {
            long timeout = _f.TimeoutTicks;
            var extensions = _f.Extensions.All;
            bool pinned = false, waiting = false, draining = false;
            foreach (var ext in extensions)
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
            if (_f.State == FrontendState.Ready && _f.Scsi.WaitingCount > 0 && _f.Extensions.FreeCount == 0)
            {
                waiting = true;
                if (draining) failed = _f.Scsi.FailWaitersPastTimeout(now);
            }

            if (!waiting) return false;
            if (!pinned)
            {
                if (failed) _f.Pump();
                return true;
            }

            foreach (var ext in extensions)
            {
                if (ext.State != ExtensionState.Active || ext.BounceWaitSince < 0 || ext.WindowOpen || ext.PartsOutstanding > 0) continue;
                if (now - ext.BounceWaitSince < timeout) continue;
                var srb = ext.Srb!;
                if (ext.InQueue) _f.Rings[ext.Queue].RemoveFromQueue(srb);
                _f.Extensions.Free(ext);
                _f.Statistics.BounceWaitTimeouts++;
                _f.Trace.Record(TraceKind.Timeout, _f.DeviceId, 0, (ulong)ext.Index, now - ext.BounceWaitSince);
                _f.Complete(srb, SrbStatus.Timeout, ScsiStatus.Good);
                failed = true;
            }

            if (failed) _f.Pump();
            return true;
        }
    }
}
