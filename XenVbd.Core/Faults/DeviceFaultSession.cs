using System;
using XenVbd.Backend;
using XenVbd.Device;
using XenVbd.Ring;
using XenVbd.Xen;

namespace XenVbd.Faults
{
    /// <summary>
    /// A fault plan attached to a live <see cref="VbdDevice"/>: installs the Polly-driven interceptor on
    /// blkback (and again on the new blkback after a migration), finds the ring's event channel through
    /// XenStore for lost/spurious events, and carries out disconnects and migrations. The PowerShell
    /// fault cmdlets keep one session per device.
    /// </summary>
    public sealed class DeviceFaultSession : IFaultEnvironment
    {
        private DeviceFaultSession(VbdDevice device, FaultPlan plan)
        {
            Device = device;
            Plan = plan;
            BadSectors = new BadSectorMap();
            Injector = new FaultInjector(device.Host.Scheduler, plan, this);
            Interceptor = new FaultInterceptor(Injector, BadSectors);
            device.Backend.Interceptor = Interceptor;
        }

        public VbdDevice Device { get; }

        public FaultPlan Plan { get; }

        public FaultInjector Injector { get; }

        public FaultInterceptor Interceptor { get; }

        public BadSectorMap BadSectors { get; }

        public FaultCounters Counters => Injector.Counters;

        /// <summary>Migrations carried out by the plan, with what the frontend did.</summary>
        public System.Collections.Generic.List<MigrationResult> Migrations { get; } = new System.Collections.Generic.List<MigrationResult>();

        public static DeviceFaultSession Attach(VbdDevice device, FaultPlan? plan = null)
        {
            if (device == null) throw new ArgumentNullException(nameof(device));
            return new DeviceFaultSession(device, plan ?? new FaultPlan());
        }

        /// <summary>Removes the interceptor; the plan stays as it is.</summary>
        public void Detach()
        {
            if (ReferenceEquals(Device.Backend.Interceptor, Interceptor)) Device.Backend.Interceptor = null;
            var channel = CurrentEventChannel;
            if (channel != null) channel.DropHook = null;
        }

        public EventChannel? CurrentEventChannel
        {
            get
            {
                long port = Device.Host.Store.ReadInt64OrDefault(Device.Frontend.FrontendPath + "/event-channel", -1);
                return port >= 0 && Device.Host.TryGetEventChannel((int)port, out var channel) ? channel : null;
            }
        }

        public bool DisconnectBackend()
        {
            if (!Device.Backend.IsConnected) return false;
            Device.Backend.Disconnect();
            return true;
        }

        public bool ReconnectBackend()
        {
            Device.Backend.Reconnect();
            Device.Backend.Interceptor = Interceptor;
            return true;
        }

        public bool MigrateBackend(BlkifAbi abi, bool native)
        {
            var result = Device.MigrateBackend(abi, native ? BackendAbiMode.Native : BackendAbiMode.Protocol);
            Device.Backend.Interceptor = Interceptor;
            Migrations.Add(result);
            return true;
        }

        public bool AddBadSector(long sector) => BadSectors.Add(sector);

        public bool RemoveBadSector(long sector) => BadSectors.Remove(sector);

        /// <summary>The device's disk has no volatile cache layer the session can reach, so there is nothing to cut.</summary>
        public bool PowerCut() => Device.Storage is Storage.WriteCacheDisk cache && Cut(cache);

        private static bool Cut(Storage.WriteCacheDisk cache)
        {
            cache.PowerCut();
            return true;
        }
    }
}
