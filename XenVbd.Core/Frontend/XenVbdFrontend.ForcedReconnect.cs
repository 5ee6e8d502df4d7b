using XenVbd.Sim;
using XenVbd.Xen;

namespace XenVbd.Frontend
{
    /// <summary>
    /// The opt-in forced reconnect (<see cref="FrontendOptions.ReconnectAfterUnansweredTimeouts"/>). Off, the
    /// frontend behaves like blkfront and GPLPV: it only reconnects when it sees the backend go, so a backend
    /// restart its watch never saw (finding F4) leaves the device timing out, and memory a lost response pins
    /// (finding F3) stays pinned. On, the frontend does what a frontend may do through XenBus on its own:
    /// Closing, wait for the backend's Closing, Closed, wait for the backend's Closed (it has then unmapped
    /// everything), end the grants — quarantining what is still mapped, never reusing it (XSA-396) — and
    /// Initialising, so the handshake, a fresh zeroed ring and event channel, and the probe run again as after
    /// a migration. SRBs are never completed by the close itself: live ones are requeued by
    /// <see cref="Disconnect"/> and go out on the new connection, so each still completes exactly once.
    /// </summary>
    public sealed partial class XenVbdFrontend
    {
        private const ulong ForcedByUnansweredTimeouts = 1;
        private const ulong ForcedByPinnedMemory = 2;
        private const ulong ForcedByReset = 3;

        /// <summary>The frontend closed its side and waits for the backend to let go before it connects again.</summary>
        private bool _forcedClose;

        /// <summary>Request timeouts in a row with no response consumed in between (reset by any response).</summary>
        private int _unansweredTimeouts;

        /// <summary>True while a forced close is waiting for the backend.</summary>
        public bool IsReconnecting => _forcedClose;

        private void MarkDraining(SrbExtension ext)
        {
            if (ext.State == ExtensionState.Draining) return;
            ext.State = ExtensionState.Draining;
            ext.DrainingSince = _scheduler.Now;
            ext.DrainingGeneration = Generation;
        }

        /// <summary>Called once per watchdog timeout; starts a forced close when the policy's count is reached.</summary>
        private bool CountUnansweredTimeout()
        {
            int limit = _options.ReconnectAfterUnansweredTimeouts;
            if (limit == 0) return false;
            _unansweredTimeouts++;
            if (_unansweredTimeouts < limit || _state != FrontendState.Ready) return false;
            BeginForcedClose(ForcedByUnansweredTimeouts, _unansweredTimeouts);
            return true;
        }

        /// <summary>
        /// The second trigger: an SRB waits for bounce memory (or for an extension) that requests of this
        /// connection have pinned for the policy's number of request timeouts. Only this connection's: memory
        /// still pinned after a reconnect is held by a backend that keeps pages mapped across a disconnect,
        /// which another reconnect would not change, so it is left to the F3 bound (the waiters time out).
        /// </summary>
        private bool PinnedPastReconnectBound(long now)
        {
            int limit = _options.ReconnectAfterUnansweredTimeouts;
            if (limit == 0 || _state != FrontendState.Ready) return false;
            if (_timeoutTicks > long.MaxValue / limit) return false;
            long bound = _timeoutTicks * limit;
            bool bounceWaiter = false;
            foreach (var ext in _extensions)
            {
                if (ext.State == ExtensionState.Active && ext.BounceWaitSince >= 0)
                {
                    bounceWaiter = true;
                    break;
                }
            }

            bool extensionWaiter = _waiting.Count > 0 && _freeExtensionCount == 0;
            if (!bounceWaiter && !extensionWaiter) return false;
            foreach (var ext in _extensions)
            {
                if (ext.State != ExtensionState.Draining || ext.DrainingGeneration != Generation) continue;
                if (!extensionWaiter && !ext.HoldsBounce) continue;
                long pinned = now - ext.DrainingSince;
                if (pinned < bound) continue;
                BeginForcedClose(ForcedByPinnedMemory, pinned);
                return true;
            }

            return false;
        }

        /// <summary>Stops issuing and tells the backend the frontend is closing; the ring stays as it is until the backend let go.</summary>
        private void BeginForcedClose(ulong reason, long detail)
        {
            _forcedClose = true;
            _unansweredTimeouts = 0;
            Statistics.ForcedReconnects++;
            _trace.Record(TraceKind.Reconnect, DeviceId, (uint)Generation, reason, detail, -1);
            _state = FrontendState.Disconnected;
            WriteState(XenbusState.Closing);
        }

        /// <summary>blkfront's half of a close it started: answer the backend's Closing with Closed, finish on its Closed.</summary>
        private void OnBackendStateWhileForcedClosing(XenbusState backend)
        {
            switch (backend)
            {
                case XenbusState.Closing:
                    if (_xbState == XenbusState.Closing) WriteState(XenbusState.Closed);
                    break;
                case XenbusState.Closed:
                    FinishForcedClose(backendWaiting: false);
                    break;
                case XenbusState.InitWait:
                    // A backend that restarted meanwhile has no ring of ours mapped any more either.
                    FinishForcedClose(backendWaiting: true);
                    break;
                default:
                    // Connected (its answer to our Closing is still on the way), or junk that says nothing:
                    // keep waiting. Ending grants before the backend let go would only quarantine them.
                    break;
            }
        }

        private void FinishForcedClose(bool backendWaiting)
        {
            _forcedClose = false;
            Disconnect();
            WriteState(XenbusState.Initialising);
            if (!IsTerminal) _state = FrontendState.WaitingForBackend;
            // A backend in Closed moves to InitWait when it sees Initialising and the watch sets up then; one
            // already in InitWait writes nothing more, so set up now.
            if (backendWaiting) Setup();
        }
    }
}
