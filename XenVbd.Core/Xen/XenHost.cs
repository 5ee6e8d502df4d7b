using System;
using System.Collections.Generic;
using XenVbd.Sim;

namespace XenVbd.Xen
{
    /// <summary>
    /// The hypervisor's part for one simulated machine: the scheduler and clock, XenStore, the
    /// domains with their memory and grant tables, and the event channels between them. Dom0 (id 0)
    /// always exists; it runs the backend.
    /// </summary>
    public sealed class XenHost : IDisposable
    {
        private readonly Dictionary<int, Domain> _domains = new Dictionary<int, Domain>();
        private readonly Dictionary<int, EventChannel> _channels = new Dictionary<int, EventChannel>();
        private int _nextPort = 1;

        public XenHost(ulong seed = 1, int dom0Pages = 64)
        {
            Scheduler = new Scheduler(seed);
            Store = new XenStore(Scheduler);
            Trace = new TraceRecorder(Scheduler);
            Dom0 = CreateDomain(0, dom0Pages);
        }

        public Scheduler Scheduler { get; }

        public XenStore Store { get; }

        public TraceRecorder Trace { get; }

        public Domain Dom0 { get; }

        public Domain CreateDomain(int id, int pageCount, int grantCapacity = 4096)
        {
            if (_domains.ContainsKey(id)) throw new InvalidOperationException("Domain " + id + " already exists.");
            int grantPages = grantCapacity * 8 / XenPage.Size;
            var d = new Domain(id, new GuestMemory(id, pageCount + grantPages), grantCapacity);
            _domains.Add(id, d);
            Store.Write("/local/domain/" + id + "/domid", id);
            return d;
        }

        /// <summary>
        /// A domain whose memory lives elsewhere — a shared-memory file another process also maps
        /// (XenVbd.Transport). Its grant table takes the first frames of that memory, as in
        /// <see cref="CreateDomain(int, int, int)"/>; the caller keeps the mapping alive.
        /// </summary>
        public Domain CreateDomain(int id, MemoryRegion externalMemory, int grantCapacity = 4096)
        {
            if (_domains.ContainsKey(id)) throw new InvalidOperationException("Domain " + id + " already exists.");
            var d = new Domain(id, new GuestMemory(id, externalMemory), grantCapacity);
            _domains.Add(id, d);
            Store.Write("/local/domain/" + id + "/domid", id);
            return d;
        }

        public Domain GetDomain(int id)
            => _domains.TryGetValue(id, out var d) ? d : throw new ArgumentException("No domain " + id + ".", nameof(id));

        /// <summary>EVTCHNOP_alloc_unbound + bind_interdomain in one step: a fresh channel with a new port.</summary>
        public EventChannel AllocateEventChannel(long latencyTicks = 10)
        {
            var ch = new EventChannel(Scheduler, _nextPort++, latencyTicks);
            _channels.Add(ch.Port, ch);
            return ch;
        }

        public bool TryGetEventChannel(int port, out EventChannel channel)
        {
            if (_channels.TryGetValue(port, out var c) && !c.Closed) { channel = c; return true; }
            channel = null!;
            return false;
        }

        public void CloseEventChannel(int port)
        {
            if (_channels.TryGetValue(port, out var c))
            {
                c.Close();
                _channels.Remove(port);
            }
        }

        public void Dispose()
        {
            foreach (var d in _domains.Values) d.Dispose();
            _domains.Clear();
        }
    }
}
