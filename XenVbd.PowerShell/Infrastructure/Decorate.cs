using System.Management.Automation;
using XenVbd.Device;

namespace XenVbd.PowerShell.Infrastructure
{
    /// <summary>Adds the device's name to an engine object on its way out, so tables can show and pipelines can bind it.</summary>
    internal static class Decorate
    {
        public const string DeviceNameProperty = "DeviceName";

        public static PSObject WithDevice(object value, string deviceName)
        {
            PSObject pso = PSObject.AsPSObject(value);
            if (pso.Properties[DeviceNameProperty] is null)
            {
                pso.Properties.Add(new PSNoteProperty(DeviceNameProperty, deviceName));
            }

            return pso;
        }

        /// <summary>
        /// The backend's side of persistent grants and multi-queue, as note properties: queues connected, whether both ends
        /// agreed on feature-persistent, grants kept mapped now, and the map/unmap/hit/purge counters since the device was made.
        /// </summary>
        public static PSObject WithBackendGrants(PSObject pso, BackendGrantCounters? grants)
        {
            if (grants is null) return pso;
            Set(pso, "BackendQueues", grants.BackendQueues);
            Set(pso, "PersistentGrantsNegotiated", grants.PersistentGrantsNegotiated);
            Set(pso, "PersistentGrants", grants.PersistentGrants);
            Set(pso, "PersistentGrantHits", grants.PersistentGrantHits);
            Set(pso, "GrantMaps", grants.GrantMaps);
            Set(pso, "GrantUnmaps", grants.GrantUnmaps);
            Set(pso, "PersistentGrantsPurged", grants.PersistentGrantsPurged);
            return pso;
        }

        private static void Set(PSObject pso, string name, object value)
        {
            if (pso.Properties[name] is null) pso.Properties.Add(new PSNoteProperty(name, value));
        }
    }
}
