using XenVbd.Sim;

namespace XenVbd.Xen
{
    /// <summary>
    /// An interdomain event channel: two ends, each with a pending bit and a mask. A notify sets the
    /// peer's pending bit; delivery happens later on the scheduler (after <see cref="LatencyTicks"/>)
    /// and several notifies before delivery coalesce into one upcall, as on real Xen.
    /// </summary>
    public sealed class EventChannel
    {
        public EventChannel(Scheduler scheduler, int port, long latencyTicks = 10)
        {
            Port = port;
            LatencyTicks = latencyTicks;
            Frontend = new EventChannelEnd(this, scheduler, "frontend");
            Backend = new EventChannelEnd(this, scheduler, "backend");
            Frontend.Peer = Backend;
            Backend.Peer = Frontend;
        }

        public int Port { get; }

        /// <summary>Virtual time from notify to upcall.</summary>
        public long LatencyTicks { get; set; }

        /// <summary>The domU end: its handler is the frontend's interrupt routine.</summary>
        public EventChannelEnd Frontend { get; }

        /// <summary>The dom0 end: its handler is blkback's.</summary>
        public EventChannelEnd Backend { get; }

        /// <summary>Fault hook: given the end a notify is sent from, return true to drop it (a lost event).</summary>
        public System.Func<EventChannelEnd, bool>? DropHook { get; set; }

        /// <summary>Closes the channel: pending events are discarded and later notifies go nowhere.</summary>
        public bool Closed { get; private set; }

        public void Close()
        {
            Closed = true;
            Frontend.ClearPending();
            Backend.ClearPending();
        }
    }

    /// <summary>One end of an <see cref="EventChannel"/>.</summary>
    public sealed class EventChannelEnd : ISimEventHandler
    {
        private readonly EventChannel _channel;
        private readonly Scheduler _scheduler;
        private bool _pending;
        private bool _masked;

        internal EventChannelEnd(EventChannel channel, Scheduler scheduler, string name)
        {
            _channel = channel;
            _scheduler = scheduler;
            Name = name;
        }

        public string Name { get; }

        /// <summary>Whether this is the domU (frontend) end: a notify from it goes to the backend.</summary>
        public bool IsFrontend => ReferenceEquals(_channel.Frontend, this);

        public EventChannelEnd Peer { get; internal set; } = null!;

        public IEventChannelHandler? Handler { get; set; }

        public bool Pending => _pending;

        public bool Masked => _masked;

        public long NotifiesSent { get; private set; }

        public long NotifiesDropped { get; private set; }

        public long Upcalls { get; private set; }

        public long Coalesced { get; private set; }

        /// <summary>EVTCHNOP_send from this end to the peer.</summary>
        public void Notify()
        {
            NotifiesSent++;
            if (_channel.Closed) return;
            var drop = _channel.DropHook;
            if (drop != null && drop(this)) { NotifiesDropped++; return; }
            Peer.Raise();
        }

        /// <summary>Sets this end pending as if the peer notified (also used to inject spurious events).</summary>
        public void Raise()
        {
            if (_channel.Closed) return;
            if (_pending) { Coalesced++; return; }
            _pending = true;
            if (!_masked) _scheduler.Schedule(_channel.LatencyTicks, this, 0);
        }

        public void Mask() => _masked = true;

        public void Unmask()
        {
            _masked = false;
            if (_pending) _scheduler.Schedule(_channel.LatencyTicks, this, 0);
        }

        internal void ClearPending() => _pending = false;

        void ISimEventHandler.OnSimEvent(int kind, long argument)
        {
            if (!_pending || _masked || _channel.Closed) return;
            _pending = false;
            Upcalls++;
            Handler?.OnEvent(this);
        }
    }
}
