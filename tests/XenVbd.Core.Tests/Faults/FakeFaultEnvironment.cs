using System.Collections.Generic;
using XenVbd.Backend;
using XenVbd.Faults;
using XenVbd.Ring;
using XenVbd.Xen;

namespace XenVbd.Tests.Faults
{
    /// <summary>Records what scheduled faults asked of the device, so tests can assert when and how often.</summary>
    internal sealed class FakeFaultEnvironment : IFaultEnvironment
    {
        public EventChannel? CurrentEventChannel { get; set; }

        public List<string> Log { get; } = new List<string>();

        public HashSet<long> BadSectors { get; } = new HashSet<long>();

        public bool HasCache { get; set; } = true;

        public System.Func<long>? Clock { get; set; }

        private string At => Clock == null ? "" : "@" + Clock();

        public bool DisconnectBackend()
        {
            Log.Add("disconnect" + At);
            return true;
        }

        public bool ReconnectBackend()
        {
            Log.Add("reconnect" + At);
            return true;
        }

        public bool MigrateBackend(BlkifAbi abi, BackendAbiMode mode)
        {
            Log.Add("migrate " + abi + (mode == BackendAbiMode.Native ? " native" : " protocol") + At);
            return true;
        }

        public bool AddBadSector(long sector) => BadSectors.Add(sector);

        public bool RemoveBadSector(long sector) => BadSectors.Remove(sector);

        public bool PowerCut()
        {
            if (!HasCache) return false;
            Log.Add("powercut" + At);
            return true;
        }
    }
}
