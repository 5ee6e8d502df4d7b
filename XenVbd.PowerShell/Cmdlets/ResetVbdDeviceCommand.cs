using System.Management.Automation;
using XenVbd.Device;
using XenVbd.PowerShell.Infrastructure;

namespace XenVbd.PowerShell.Cmdlets
{
    /// <summary>
    /// <para type="synopsis">Resets a device the way scsiport's bus reset does: the frontend abandons the ring, reconnects and resubmits.</para>
    /// <para type="description">Full help ships as MAML in XenVbd.PowerShell.dll-Help.xml.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Reset, "VbdDevice", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(VbdDevice))]
    public sealed class ResetVbdDeviceCommand : VbdDeviceCommandBase
    {
        /// <summary>Writes the device to the pipeline after the reset.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <inheritdoc />
        protected override string FailureErrorId => ErrorIds.ResetFailed;

        /// <inheritdoc />
        protected override void ProcessDevice(DeviceSession session)
        {
            if (!ShouldProcess(session.Name, "Reset the device (reconnect the ring, resubmit what is in flight)"))
            {
                return;
            }

            session.Device.Reset();
            if (session.Device.Warning is string warning)
            {
                WriteWarning(warning);
            }

            if (PassThru)
            {
                WriteObject(session.Device);
            }
        }
    }
}
