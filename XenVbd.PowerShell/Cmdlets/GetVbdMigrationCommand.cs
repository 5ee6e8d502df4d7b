using System.Management.Automation;
using XenVbd.Device;
using XenVbd.PowerShell.Infrastructure;

namespace XenVbd.PowerShell.Cmdlets
{
    /// <summary>
    /// <para type="synopsis">Lists the migrations a device's fault plan carried out (Add-VbdFault -Kind Migration), each with what the frontend did.</para>
    /// <para type="description">Full help ships as MAML in XenVbd.PowerShell.dll-Help.xml.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "VbdMigration")]
    [OutputType(typeof(MigrationResult))]
    public sealed class GetVbdMigrationCommand : VbdDeviceCommandBase
    {
        /// <inheritdoc />
        protected override bool AllDevicesByDefault => true;

        /// <inheritdoc />
        protected override void ProcessDevice(DeviceSession session)
        {
            if (!session.HasFaults)
            {
                return;
            }

            foreach (MigrationResult migration in session.Faults.Migrations)
            {
                WriteObject(Decorate.WithDevice(migration, session.Name));
            }
        }
    }
}
