using XenVbd.Backend;
using XenVbd.Ring;
using XenVbd.Xen;

namespace XenVbd.Faults
{
    /// <summary>
    /// The parts of a running device the scheduled faults act on. A device adapter implements it; each
    /// member returns false (or null) when the device has no such part (no write cache ⇒ no power cut), and
    /// the injector then counts nothing rather than pretending the fault happened.
    /// </summary>
    public interface IFaultEnvironment
    {
        /// <summary>The ring's current event channel; it changes across a reconnect.</summary>
        EventChannel? CurrentEventChannel { get; }

        bool DisconnectBackend();

        bool ReconnectBackend();

        bool MigrateBackend(BlkifAbi abi, BackendAbiMode mode);

        /// <summary>Marks one 512-byte sector bad (dm-dust); false if the disk has no bad-block layer.</summary>
        bool AddBadSector(long sector);

        bool RemoveBadSector(long sector);

        /// <summary>Drops unflushed writes; false if the disk has no volatile cache.</summary>
        bool PowerCut();
    }
}
