using System.Management.Automation;
using XenVbd.Device;
using XenVbd.PowerShell.Infrastructure;

namespace XenVbd.PowerShell.Cmdlets
{
    /// <summary>
    /// <para type="synopsis">Connects a device created with New-VbdDevice -NoConnect: the XenBus handshake and the ABI probe run now, under the faults already added.</para>
    /// <para type="description">Full help ships as MAML in XenVbd.PowerShell.dll-Help.xml.</para>
    /// </summary>
    [Cmdlet(VerbsCommunications.Connect, "VbdDevice", SupportsShouldProcess = true)]
    [OutputType(typeof(VbdDevice))]
    public sealed class ConnectVbdDeviceCommand : VbdDeviceCommandBase
    {
        /// <inheritdoc />
        protected override string FailureErrorId => ErrorIds.ConnectFailed;

        /// <inheritdoc />
        protected override void ProcessDevice(DeviceSession session)
        {
            VbdDevice device = session.Device;
            if (device.IsConnected)
            {
                this.WriteError(ErrorIds.AlreadyConnected, ErrorCategory.InvalidOperation, device,
                    "The device '" + session.Name + "' is already connected (" + device.State + ").",
                    "Connect-VbdDevice is for devices made with New-VbdDevice -NoConnect. To reconnect a live device use Reset-VbdDevice or Set-BackendAbi.");
                return;
            }

            if (!ShouldProcess(session.Name, "Connect the frontend and backend (XenBus handshake, ABI probe)"))
            {
                return;
            }

            device.Connect();
            WriteObject(device);
        }
    }
}
