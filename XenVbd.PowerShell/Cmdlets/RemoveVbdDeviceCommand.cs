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
        /// <inheritdoc />
        protected override string FailureErrorId => ErrorIds.DeviceRemoveFailed;

        /// <inheritdoc />
        protected override void ProcessDevice(DeviceSession session)
        {
            VbdDevice device = session.Device;
            if (!ShouldProcess(session.Name, "Close the frontend and backend and remove the device"))
            {
                return;
            }

            DeviceRegistry.Current.Remove(session);
            try
            {
                device.Dispose();
            }
            catch (Exception ex) when (ex is not RuntimeException)
            {
                // Already out of the session: report that closing failed, but do not put it back.
                this.WriteError(ex, session.Name, ErrorIds.DeviceRemoveFailed);
            }
        }
    }
}
