using System;
using System.Globalization;
using XenVbd.Xen;

namespace XenVbd.Transport
{
    /// <summary>
    /// The frontend's process: its guest memory (grant table, ring, data pages) is the file's guest
    /// region, so a frontend built on <see cref="Host"/> and <see cref="Guest"/> — an unchanged
    /// <see cref="Frontend.XenVbdFrontend"/> — runs against whatever backend maps the file. This host
    /// plays the backend's half of XenStore: the backend block of the header becomes the backend's
    /// keys (features first, state last) and the frontend's keys (ring-ref*, ring-page-order,
    /// protocol, state) go into the frontend block.
    /// </summary>
    public sealed class ShmFrontendHost : ShmPeerHost
    {
        private XenbusState _lastBackState = XenbusState.Unknown;
        private long _lastFrontState = -1;
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
            Host.Store.Write(FrontendPath + "/backend", BackendPath);
            Host.Store.Write(FrontendPath + "/backend-id", file.BackendDomainId);
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
            if (back == _lastBackState) return;
            _lastBackState = back;
            var store = Host.Store;
            if (back == XenbusState.InitWait || back == XenbusState.Connected)
            {
                uint features = File.ReadUInt32(ShmLayout.BackFeaturesOffset);
                store.Write(BackendPath + "/feature-flush-cache", (features & ShmLayout.FeatureFlush) != 0 ? 1 : 0);
                store.Write(BackendPath + "/feature-barrier", (features & ShmLayout.FeatureBarrier) != 0 ? 1 : 0);
                store.Write(BackendPath + "/feature-discard", (features & ShmLayout.FeatureDiscard) != 0 ? 1 : 0);
                uint indirect = File.ReadUInt32(ShmLayout.BackMaxIndirectOffset);
                if (indirect > 0) store.Write(BackendPath + "/feature-max-indirect-segments", indirect);
                else store.Remove(BackendPath + "/feature-max-indirect-segments");
                store.Write(BackendPath + "/max-ring-page-order", File.ReadUInt32(ShmLayout.BackMaxRingOrderOffset));
            }
            if (back == XenbusState.Connected)
            {
                store.Write(BackendPath + "/sectors", (long)File.ReadUInt64(ShmLayout.BackSectorsOffset));
                store.Write(BackendPath + "/sector-size", File.ReadUInt32(ShmLayout.BackSectorSizeOffset));
                store.Write(BackendPath + "/physical-sector-size", File.ReadUInt32(ShmLayout.BackPhysicalSectorSizeOffset));
                store.Write(BackendPath + "/info", File.ReadUInt32(ShmLayout.BackInfoOffset));
            }
            store.Write(BackendPath + "/state", (long)back);
        }

        protected override void Export()
        {
            var store = Host.Store;
            long state = store.ReadInt64OrDefault(FrontendPath + "/state", 0);
            if (state == _lastFrontState || _closing) return;
            _lastFrontState = state;
            if (state == (long)XenbusState.Initialised || state == (long)XenbusState.Connected)
            {
                int order = (int)store.ReadInt64OrDefault(FrontendPath + "/ring-page-order", 0);
                if (order == 0) File.WriteRingRef(0, (uint)store.ReadInt64OrDefault(FrontendPath + "/ring-ref", 0));
                else for (int i = 0; i < 1 << order; i++) File.WriteRingRef(i, (uint)store.ReadInt64OrDefault(FrontendPath + "/ring-ref" + i.ToString(CultureInfo.InvariantCulture), 0));
                File.WriteUInt32(ShmLayout.FrontRingOrderOffset, (uint)order);
                File.FrontendProtocol = store.Read(FrontendPath + "/protocol");
                int port = (int)store.ReadInt64OrDefault(FrontendPath + "/event-channel", 0);
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
