using System;
using XenVbd.Backend;
using XenVbd.Device;
using XenVbd.Ring;
using XenVbd.Xen;

namespace XenVbd.Faults
{
    /// <summary>
    /// A fault plan attached to a live <see cref="VbdDevice"/>: makes the Polly-driven interceptor the
    /// device's <see cref="VbdDevice.BackendInterceptor"/> (so it stays on every backend a migration or a
    /// <c>Set-BackendAbi</c> brings), finds the ring's event channel through XenStore for lost/spurious
    /// events, and carries out disconnects and migrations. The PowerShell fault cmdlets keep one session per device.
    /// </summary>
    public sealed class DeviceFaultSession : IFaultEnvironment
    {
        private readonly IBackendInterceptor? _underneath;
        private readonly IBackendInterceptor _installed;

        private DeviceFaultSession(VbdDevice device, FaultPlan plan)
        {
            Device = device;
            Plan = plan;
            BadSectors = new BadSectorMap();
            Injector = new FaultInjector(device.Host.Scheduler, plan, this);
            Interceptor = new FaultInterceptor(Injector, BadSectors);
            // A device may already carry an interceptor of its own (VbdDeviceOptions.BackendInterceptor, a lab's
            // delay); the plan adds its faults on top instead of silently switching that one off.
            _underneath = device.BackendInterceptor;
            _installed = _underneath == null ? Interceptor : new Stacked(_underneath, Interceptor);
            device.BackendInterceptor = _installed;
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

        /// <summary>Takes the plan's interceptor off the device, giving back the one it was stacked on; the plan stays as it is.</summary>
        public void Detach()
        {
            if (ReferenceEquals(Device.BackendInterceptor, _installed)) Device.BackendInterceptor = _underneath;
            var channel = CurrentEventChannel;
            if (channel != null) channel.DropHook = null;
        }

        public EventChannel? CurrentEventChannel
        {
            get
            {
                long port = Device.Host.Store.ReadInt64OrDefault(BlkifKeys.Path(Device.Frontend.FrontendPath, BlkifKeys.EventChannel), -1);
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
            return true;
        }

        public bool MigrateBackend(BlkifAbi abi, BackendAbiMode mode)
        {
            Migrations.Add(Device.MigrateBackend(abi, mode));
            return true;
        }

        public bool AddBadSector(long sector) => BadSectors.Add(sector);

        public bool RemoveBadSector(long sector) => BadSectors.Remove(sector);

        /// <summary>The device's disk has no volatile cache layer the session can reach, so there is nothing to cut.</summary>
        public bool PowerCut() => Device.PowerCut();

        /// <summary>The device's own interceptor first, then the plan's, so the plan's latency adds to the device's.</summary>
        private sealed class Stacked : IBackendInterceptor
        {
            private readonly IBackendInterceptor _first;
            private readonly IBackendInterceptor _second;

            public Stacked(IBackendInterceptor first, IBackendInterceptor second)
            {
                _first = first;
                _second = second;
            }

            public void OnRequest(BlkBack backend, ref BackendRequestPlan plan)
            {
                _first.OnRequest(backend, ref plan);
                _second.OnRequest(backend, ref plan);
            }
        }
    }
}
