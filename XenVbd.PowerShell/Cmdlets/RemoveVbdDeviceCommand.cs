using System;
using System.Management.Automation;
using XenVbd.Device;
using XenVbd.PowerShell.Infrastructure;

namespace XenVbd.PowerShell.Cmdlets
{
    /// <summary>
    /// <para type="synopsis">Closes virtual block devices and removes them from the session.</para>
    /// <para type="description">Full help ships as MAML in XenVbd.PowerShell.dll-Help.xml.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "VbdDevice", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(void))]
    public sealed class RemoveVbdDeviceCommand : VbdDeviceCommandBase
    {
        /// <summary>
        /// Drop the writes a volatile write cache holds instead of writing them back (what a PowerCut does);
        /// without it the removal is orderly and flushes first.
        /// </summary>
        [Parameter]
        public SwitchParameter Discard { get; set; }

        /// <inheritdoc />
        protected override string FailureErrorId => ErrorIds.DeviceRemoveFailed;

        /// <inheritdoc />
        protected override void ProcessDevice(DeviceSession session)
        {
            VbdDevice device = session.Device;
            long dirty = device.UnflushedBytes;
            string action = Discard.IsPresent
                ? "Close the frontend and backend, DROP " + dirty + " unflushed bytes of the volatile write cache, and remove the device"
                : "Close the frontend and backend" + (dirty > 0 ? ", write back " + dirty + " unflushed bytes of the volatile write cache" : "") + " and remove the device";
            if (!ShouldProcess(session.Name, action))
            {
                return;
            }

            DeviceRegistry.Current.Remove(session);
            try
            {
                long dropped = device.Close(Discard.IsPresent);
                if (dropped > 0)
                {
                    WriteWarning("'" + session.Name + "': " + dropped + " unflushed bytes of the volatile write cache were dropped (-Discard), as a power cut would.");
                }
                else if (dirty > 0)
                {
                    WriteVerbose("'" + session.Name + "': wrote back " + dirty + " bytes of the volatile write cache before closing.");
                }
            }
            catch (Exception ex) when (ex is not RuntimeException)
            {
                // Already out of the session: report that closing failed, but do not put it back.
                this.WriteError(ex, session.Name, ErrorIds.DeviceRemoveFailed);
            }
        }
    }
}
