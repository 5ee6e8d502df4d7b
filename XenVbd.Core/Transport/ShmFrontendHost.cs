using System;
using XenVbd.Xen;

namespace XenVbd.Transport
{
    /// <summary>
    /// The frontend's process: its guest memory (grant table, ring, data pages) is the file's guest
    /// region, so a frontend built on <see cref="ShmPeerHost.Host"/> and <see cref="Guest"/> — an unchanged
    /// <see cref="Frontend.XenVbdFrontend"/> — runs against whatever backend maps the file. This host
    /// plays the backend's half of XenStore: the backend block of the header becomes the backend's
    /// keys (features first, state last) and the frontend's keys (ring-ref*, ring-page-order,
    /// protocol, state) go into the frontend block.
    /// </summary>
    public sealed class ShmFrontendHost : ShmPeerHost
    {
        private XenbusState _lastBackState = XenbusState.Unknown;
        private long _lastFrontState = -1;
        private uint _lastBackKeys = uint.MaxValue;

        /// <summary>Keys of the backend directory this process keeps for itself: the state (the file's own field) and the toolstack's.</summary>
        private static readonly string[] BackendOwnKeys = { BlkifKeys.State, BlkifKeys.FrontendPath, BlkifKeys.FrontendId };

        /// <summary>Keys of the frontend directory not sent to the peer: the state and what the toolstack wrote here.</summary>
        private static readonly string[] FrontendOwnKeys = { BlkifKeys.State, BlkifKeys.BackendPath, BlkifKeys.BackendId };
        private EventChannel? _channel;
        private bool _closing;

        public ShmFrontendHost(SharedMemoryFile file, int deviceId = 0, ulong seed = 1)
            : base(file, seed)
        {
            DeviceId = deviceId;
            Guest = Host.CreateDomain(file.FrontendDomainId, file.Guest, file.GrantEntries);
            if (Guest.Grants.FirstFrame != 0)
                throw new InvalidOperationException("The grant table must occupy guest frame 0 onward as the file header says.");
            FrontendPath = XenbusPaths.Frontend(Guest.Id, deviceId);
            BackendPath = XenbusPaths.Backend(file.BackendDomainId, Guest.Id, deviceId);
            // The toolstack's part: where the frontend finds its backend.
            Host.Store.Write(BlkifKeys.Path(FrontendPath, BlkifKeys.BackendPath), BackendPath);
            Host.Store.Write(BlkifKeys.Path(FrontendPath, BlkifKeys.BackendId), file.BackendDomainId);
            file.FrontendState = XenbusState.Initialising;
        }

        public int DeviceId { get; }

        /// <summary>The frontend domain, its memory in the file.</summary>
        public Domain Guest { get; }

        public string FrontendPath { get; }

        public string BackendPath { get; }

        protected override uint PeerEventCounter => File.BackToFrontEvents;

        protected override void SignalPeer() => File.NotifyBackend();

        protected override EventChannelEnd? LocalEnd => _channel?.Frontend;

        /// <summary>
        /// The frontend is going away: Closing, then Closed, in the file, each time waiting for the
        /// backend to follow. <paramref name="others"/>: hosts polled alongside (a peer in this process).
        /// Returns whether the backend reached Closed in time.
        /// </summary>
        public bool Close(TimeSpan timeout, params ShmPeerHost[] others)
        {
            _closing = true;
            File.FrontendState = XenbusState.Closing;
            RunUntil(() => File.BackendState >= XenbusState.Closing || File.BackendState == XenbusState.Unknown, timeout, others);
            File.FrontendState = XenbusState.Closed;
            return RunUntil(() => File.BackendState == XenbusState.Closed || File.BackendState == XenbusState.Unknown, timeout, others);
        }

        protected override void Import()
        {
            var back = File.BackendState;
            uint sequence = File.BackendKeysSequence;
            if (back == _lastBackState && sequence == _lastBackKeys) return;
            _lastBackKeys = sequence;
            var store = Host.Store;
            // The backend's keys as it wrote them: one it never wrote (QEMU writes no feature-barrier
            // or physical-sector-size) is absent here too, so the frontend applies its own default.
            MirrorKeys(store, BackendPath, File.ReadBackendKeys(), BackendOwnKeys);
            if (back == _lastBackState) return;
            _lastBackState = back;
            store.Write(BlkifKeys.Path(BackendPath, BlkifKeys.State), (long)back);
        }

        protected override void Export()
        {
            var store = Host.Store;
            long state = store.ReadInt64OrDefault(BlkifKeys.Path(FrontendPath, BlkifKeys.State), 0);
            if (state == _lastFrontState || _closing) return;
            _lastFrontState = state;
            File.WriteFrontendKeys(CollectKeys(store, FrontendPath, FrontendOwnKeys));
            if (state == (long)XenbusState.Initialised || state == (long)XenbusState.Connected)
            {
                int order = (int)store.ReadInt64OrDefault(BlkifKeys.Path(FrontendPath, BlkifKeys.RingPageOrder), 0);
                if (order == 0) File.WriteRingRef(0, (uint)store.ReadInt64OrDefault(BlkifKeys.Path(FrontendPath, BlkifKeys.RingRef), 0));
                else for (int i = 0; i < 1 << order; i++) File.WriteRingRef(i, (uint)store.ReadInt64OrDefault(BlkifKeys.Path(FrontendPath, BlkifKeys.RingRefOf(i)), 0));
                File.WriteUInt32(ShmLayout.FrontRingOrderOffset, (uint)order);
                File.FrontendProtocol = store.Read(BlkifKeys.Path(FrontendPath, BlkifKeys.Protocol));
                int port = (int)store.ReadInt64OrDefault(BlkifKeys.Path(FrontendPath, BlkifKeys.EventChannel), 0);
                File.WriteUInt32(ShmLayout.FrontEventPortOffset, (uint)port);
                // Stand in for the peer's end of the channel: its upcall is our signal to the file.
                if (_channel == null || _channel.Port != port)
                {
                    _channel = Host.TryGetEventChannel(port, out var ch) ? ch : null;
                    if (_channel != null) _channel.Backend.Handler = this;
                }
            }
            File.FrontendState = (XenbusState)state;
        }
    }
}
