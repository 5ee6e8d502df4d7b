using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using XenVbd.Xen;

namespace XenVbd.Transport
{
    /// <summary>
    /// The real-time driver loop: the one place in the engine where wall-clock time and a real peer
    /// exist. One side of a vbd (frontend or backend) runs in this process on its own
    /// <see cref="XenHost"/>; the other side is whatever maps the same <see cref="SharedMemoryFile"/>.
    /// Each <see cref="Poll"/> imports what the peer published (its XenStore-like block, its event
    /// counter → the local event-channel end is raised), runs the scheduler up to "now" — virtual time
    /// advances with the wall clock, so a 30 s watchdog still means 30 s — and exports what the local
    /// side published. Local notifies bump our counter in the file directly. Single-threaded: call
    /// Poll/RunUntil from one thread only; the engine is not touched from anywhere else.
    /// </summary>
    public abstract class ShmPeerHost : IEventChannelHandler, IDisposable
    {
        private readonly long _stopwatchOrigin;
        private readonly long _virtualOrigin;
        private uint _peerEvents;
        private bool _disposed;

        protected ShmPeerHost(SharedMemoryFile file, ulong seed)
        {
            File = file ?? throw new ArgumentNullException(nameof(file));
            Host = new XenHost(seed);
            _stopwatchOrigin = Stopwatch.GetTimestamp();
            _virtualOrigin = Host.Scheduler.Now;
        }

        public SharedMemoryFile File { get; }

        public XenHost Host { get; }

        /// <summary>Events the peer sent (its counter moves) that were delivered to the local end.</summary>
        public long EventsReceived { get; private set; }

        /// <summary>Notifies the local side sent to the peer (our counter bumps).</summary>
        public long EventsSent { get; private set; }

        public long Polls { get; private set; }

        /// <summary>Why this host stopped its connection (the peer shrank the file); null while it runs.</summary>
        public string? PeerFault => File.TruncationGuard.Fault;

        /// <summary>Counter the peer bumps; read by <see cref="Poll"/>.</summary>
        protected abstract uint PeerEventCounter { get; }

        /// <summary>Bumps our counter in the file.</summary>
        protected abstract void SignalPeer();

        /// <summary>The local event-channel end the peer's events arrive at (null while unbound).</summary>
        protected abstract EventChannelEnd? LocalEnd { get; }

        protected abstract void Import();

        protected abstract void Export();

        /// <summary>One pass: import the peer's state and events, run the engine up to now, export ours. True if the peer sent an event.</summary>
        public bool Poll()
        {
            if (!Receive(out bool evt)) return false;
            long target = _virtualOrigin + ElapsedTicks();
            Host.Scheduler.RunUntil(target);
            Export();
            return evt;
        }

        /// <summary>
        /// One pass without running the scheduler: import the peer's state and events (raising the local end), then
        /// export ours. For a host whose scheduler something else runs, from inside a scheduler event
        /// (a device whose backend is a real process, pumped in real time). True if the peer sent an event.
        /// </summary>
        public bool Exchange()
        {
            if (!Receive(out bool evt)) return false;
            Export();
            return evt;
        }

        /// <summary>Imports and delivers; false if the connection is stopped (the peer shrank the file: touch nothing more).</summary>
        private bool Receive(out bool evt)
        {
            evt = false;
            if (_disposed) ThrowHelper.ThrowInvalidOperation("The shared-memory host is disposed.");
            // A peer that shrank the file stops this connection here, before anything touches the mapping.
            if (!File.TruncationGuard.Check()) return false;
            Polls++;
            uint now = PeerEventCounter;
            // A truncation the peer made before the event we just saw is visible to this second look.
            if (now != _peerEvents && !File.TruncationGuard.Check()) return false;
            Import();
            if (now != _peerEvents)
            {
                _peerEvents = now;
                var end = LocalEnd;
                if (end != null)
                {
                    end.Raise();
                    EventsReceived++;
                    evt = true;
                }
            }
            return true;
        }

        /// <summary>Polls (spinning, yielding, then sleeping briefly) until <paramref name="done"/> holds; false on timeout.</summary>
        public bool RunUntil(Func<bool> done, TimeSpan timeout) => RunUntil(done, timeout, Array.Empty<ShmPeerHost>());

        /// <summary>Polls this host and <paramref name="others"/> in turn (two peers in one thread, as the tests do).</summary>
        public bool RunUntil(Func<bool> done, TimeSpan timeout, params ShmPeerHost[] others)
        {
            if (done == null) throw new ArgumentNullException(nameof(done));
            var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
            int idle = 0;
            while (true)
            {
                bool any = Poll();
                foreach (var o in others) any |= o.Poll();
                if (done()) return true;
                if (PeerFault != null) return false;   // stopped: nothing will change any more
                if (Stopwatch.GetTimestamp() > deadline) return false;
                if (any) idle = 0;
                else if (++idle < 64) Thread.Yield();
                else Thread.Sleep(0);
                if (idle > 2000) Thread.Sleep(1);
            }
        }

        /// <summary>Wall-clock time since this host started, in 100-ns ticks.</summary>
        protected long ElapsedTicks() => (long)((Stopwatch.GetTimestamp() - _stopwatchOrigin) * (10_000_000.0 / Stopwatch.Frequency));

        /// <summary>The local side notified through its end of the channel: tell the peer.</summary>
        void IEventChannelHandler.OnEvent(EventChannelEnd end)
        {
            SignalPeer();
            EventsSent++;
        }

        public virtual void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            Host.Dispose();
        }

        /// <summary>
        /// Makes <paramref name="dir"/> in the local XenStore hold exactly the peer's <paramref name="keys"/>:
        /// a key the peer did not write is removed (absent, not 0), a changed one rewritten; keys named in
        /// <paramref name="local"/> belong to this side (state, toolstack keys) and are left alone.
        /// Writes only what changed, so watches fire as they would on the peer's own writes.
        /// </summary>
        protected static void MirrorKeys(XenStore store, string dir, Dictionary<string, string> keys, params string[] local)
        {
            string prefix = dir + "/";
            foreach (var kv in store.Dump(dir))
            {
                if (kv.Key.Length <= prefix.Length) continue;
                string name = kv.Key.Substring(prefix.Length);
                if (Array.IndexOf(local, name) < 0 && !keys.ContainsKey(name)) store.Remove(kv.Key);
            }
            foreach (var kv in keys)
            {
                if (Array.IndexOf(local, kv.Key) >= 0) continue;
                string path = prefix + kv.Key;
                if (store.Read(path) != kv.Value) store.Write(path, kv.Value);
            }
        }

        /// <summary>Every key under <paramref name="dir"/> (names relative to it) but the ones in <paramref name="local"/>.</summary>
        protected static List<KeyValuePair<string, string>> CollectKeys(XenStore store, string dir, params string[] local)
        {
            string prefix = dir + "/";
            var list = new List<KeyValuePair<string, string>>();
            foreach (var kv in store.Dump(dir))
            {
                if (kv.Key.Length <= prefix.Length) continue;
                string name = kv.Key.Substring(prefix.Length);
                if (Array.IndexOf(local, name) < 0) list.Add(new KeyValuePair<string, string>(name, kv.Value));
            }
            return list;
        }
    }
}
