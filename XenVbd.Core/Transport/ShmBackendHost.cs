using System;
using System.Globalization;
using XenVbd.Backend;
using XenVbd.Ring;
using XenVbd.Storage;
using XenVbd.Xen;

namespace XenVbd.Transport
{
    /// <summary>
    /// The backend's process: an unchanged <see cref="BlkBack"/> in dom0 serves a frontend that lives
    /// in another process. The frontend domain's memory (grant table, ring, data pages) is the file's
    /// guest region, so blkback maps grants and reads the ring in place. This host plays the
    /// frontend's half of XenStore: the header's frontend block becomes the frontend's keys (ring
    /// refs, order, protocol, then state) and blkback's keys go into the backend block. Build it
    /// before the frontend grants anything: the grant table view starts empty, as the frontend
    /// waits for InitWait before granting.
    /// </summary>
    public sealed class ShmBackendHost : ShmPeerHost
    {
        private readonly EventChannel _channel;
        private XenbusState _lastFrontState = XenbusState.Unknown;
        private long _lastBackState = -1;
        private uint _lastFrontKeys = uint.MaxValue;

        /// <summary>Keys of the frontend directory this process keeps: the state (the file's own field) and the toolstack's.</summary>
        private static readonly string[] FrontendOwnKeys = { BlkifKeys.State, BlkifKeys.BackendPath, BlkifKeys.BackendId };

        /// <summary>Keys of the backend directory not sent to the peer: the state and the toolstack's (paths in this process).</summary>
        private static readonly string[] BackendOwnKeys = { BlkifKeys.State, BlkifKeys.FrontendPath, BlkifKeys.FrontendId };

        public ShmBackendHost(SharedMemoryFile file, IBlockStorage storage, BlkBackOptions? options = null, int deviceId = 0, ulong seed = 1)
            : base(file, seed)
        {
            if (storage == null) throw new ArgumentNullException(nameof(storage));
            if (file.BackendDomainId != 0)
                throw new SharedMemoryFormatException(file.Path, "backend_domid", file.BackendDomainId + ": this backend runs in dom0.");
            Frontend = Host.CreateDomain(file.FrontendDomainId, file.Guest, file.GrantEntries);
            if (Frontend.Grants.FirstFrame != 0)
                throw new InvalidOperationException("The grant table must occupy guest frame 0 onward as the file header says.");
            // The frontend's event channel, bound at this end to the file's counters.
            _channel = Host.AllocateEventChannel();
            _channel.Frontend.Handler = this;
            FrontendPath = XenbusPaths.Frontend(Frontend.Id, deviceId);
            var opts = options ?? new BlkBackOptions();
            Backend = new BlkBack(Host, Frontend.Id, deviceId, storage, opts);
            File.BackendNativeAbi = opts.NativeAbi.ToProtocolString();
            File.WriteUInt32(ShmLayout.BackPidOffset, (uint)System.Diagnostics.Process.GetCurrentProcess().Id);
            Export();
        }

        public BlkBack Backend { get; }

        /// <summary>The frontend's domain as dom0 sees it: its memory in the file.</summary>
        public Domain Frontend { get; }

        public string FrontendPath { get; }

        protected override uint PeerEventCounter => File.FrontToBackEvents;

        protected override void SignalPeer() => File.NotifyFrontend();

        protected override EventChannelEnd? LocalEnd => _channel.Backend;

        protected override void Import()
        {
            var front = File.FrontendState;
            uint sequence = File.FrontendKeysSequence;
            if (front == _lastFrontState && sequence == _lastFrontKeys) return;
            _lastFrontKeys = sequence;
            var store = Host.Store;
            // The frontend's keys as it wrote them (absence included); the event channel is bound
            // here at this process's end of the file's counters, so its port is ours.
            var keys = File.ReadFrontendKeys();
            if (keys.ContainsKey(BlkifKeys.EventChannel)) keys[BlkifKeys.EventChannel] = _channel.Port.ToString(CultureInfo.InvariantCulture);
            MirrorKeys(store, FrontendPath, keys, FrontendOwnKeys);
            if (front == _lastFrontState) return;
            _lastFrontState = front;
            store.Write(BlkifKeys.Path(FrontendPath, BlkifKeys.State), (long)front);
        }

        protected override void Export()
        {
            var store = Host.Store;
            string bp = Backend.BackendPath;
            long state = store.ReadInt64OrDefault(BlkifKeys.Path(bp, BlkifKeys.State), 0);
            File.WriteUInt64(ShmLayout.BackRequestsOffset, (ulong)Backend.Statistics.RequestsConsumed);
            // Linux blkback halts a ring that overflows and keeps saying Connected; the peer (and whoever
            // reads the header) learns of it only here, as a toolstack reads blkback's `error` key.
            File.WriteUInt32(ShmLayout.BackRingHaltedOffset, Backend.IsRingHalted ? 1u : 0u);
            if (state == _lastBackState) return;
            _lastBackState = state;
            File.WriteBackendKeys(CollectKeys(store, bp, BackendOwnKeys));
            uint features = 0;
            if (store.ReadInt64OrDefault(BlkifKeys.Path(bp, BlkifKeys.FeatureFlushCache), 0) != 0) features |= ShmLayout.FeatureFlush;
            if (store.ReadInt64OrDefault(BlkifKeys.Path(bp, BlkifKeys.FeatureBarrier), 0) != 0) features |= ShmLayout.FeatureBarrier;
            if (store.ReadInt64OrDefault(BlkifKeys.Path(bp, BlkifKeys.FeatureDiscard), 0) != 0) features |= ShmLayout.FeatureDiscard;
            File.WriteUInt32(ShmLayout.BackFeaturesOffset, features);
            File.WriteUInt32(ShmLayout.BackMaxIndirectOffset, (uint)store.ReadInt64OrDefault(BlkifKeys.Path(bp, BlkifKeys.FeatureMaxIndirectSegments), 0));
            File.WriteUInt32(ShmLayout.BackMaxRingOrderOffset, (uint)store.ReadInt64OrDefault(BlkifKeys.Path(bp, BlkifKeys.MaxRingPageOrder), 0));
            File.WriteUInt64(ShmLayout.BackSectorsOffset, (ulong)store.ReadInt64OrDefault(BlkifKeys.Path(bp, BlkifKeys.Sectors), 0));
            File.WriteUInt32(ShmLayout.BackSectorSizeOffset, (uint)store.ReadInt64OrDefault(BlkifKeys.Path(bp, BlkifKeys.SectorSize), 0));
            File.WriteUInt32(ShmLayout.BackPhysicalSectorSizeOffset, (uint)store.ReadInt64OrDefault(BlkifKeys.Path(bp, BlkifKeys.PhysicalSectorSize), 0));
            File.WriteUInt32(ShmLayout.BackInfoOffset, (uint)store.ReadInt64OrDefault(BlkifKeys.Path(bp, BlkifKeys.Info), 0));
            File.BackendChosenAbi = Backend.ChosenAbi?.ToProtocolString();
            File.BackendState = (XenbusState)state;
        }
    }
}
