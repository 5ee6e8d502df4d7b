using System;
using System.Collections.Generic;
using System.Management.Automation.Runspaces;

namespace XenVbd.PowerShell.Infrastructure
{
    /// <summary>
    /// Closes a session's devices the orderly way (a volatile write cache is written back) when the
    /// session ends without Remove-Module: its runspace closes (leaving pwsh, a job or a hosted runspace
    /// ending) or the process exits. Without this the devices, their image locks and their cached writes
    /// simply vanished with the process.
    /// </summary>
    internal static class SessionEnd
    {
        private static readonly object Gate = new object();
        private static readonly List<WeakReference<DeviceRegistry>> Registries = new List<WeakReference<DeviceRegistry>>();
        private static bool s_hookedExit;

        /// <summary>Makes the registry of <paramref name="runspace"/> and closes its devices when the runspace closes.</summary>
        public static DeviceRegistry Track(Runspace runspace)
        {
            var registry = new DeviceRegistry { Description = "runspace " + runspace.Id + (string.IsNullOrEmpty(runspace.Name) ? "" : " '" + runspace.Name + "'") };
            runspace.StateChanged += (sender, e) =>
            {
                RunspaceState state = e.RunspaceStateInfo.State;
                if (state == RunspaceState.Closing || state == RunspaceState.Closed || state == RunspaceState.Broken)
                {
                    registry.Clear();
                }
            };
            lock (Gate)
            {
                Registries.RemoveAll(w => !w.TryGetTarget(out _));
                Registries.Add(new WeakReference<DeviceRegistry>(registry));
                if (!s_hookedExit)
                {
                    s_hookedExit = true;
                    AppDomain.CurrentDomain.ProcessExit += (sender, e) => CloseAll();
                }
            }

            return registry;
        }

        /// <summary>Which other live session holds <paramref name="device"/> ("runspace N"), or null.</summary>
        public static string? OwnerOf(XenVbd.Device.VbdDevice device)
        {
            lock (Gate)
            {
                foreach (var w in Registries)
                {
                    if (w.TryGetTarget(out DeviceRegistry? r) && r.Find(device) is not null)
                    {
                        return r.Description;
                    }
                }
            }

            return null;
        }

        private static void CloseAll()
        {
            DeviceRegistry[] live;
            lock (Gate)
            {
                var list = new List<DeviceRegistry>();
                foreach (var w in Registries)
                {
                    if (w.TryGetTarget(out DeviceRegistry? r)) list.Add(r);
                }

                live = list.ToArray();
            }

            foreach (DeviceRegistry r in live) r.Clear();
        }
    }
}
