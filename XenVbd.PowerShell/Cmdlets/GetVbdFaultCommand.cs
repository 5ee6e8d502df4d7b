using System.Management.Automation;
using XenVbd.Faults;
using XenVbd.PowerShell.Infrastructure;

namespace XenVbd.PowerShell.Cmdlets
{
    /// <summary>
    /// <para type="synopsis">Gets the fault rules of devices' fault plans, with how often each fired.</para>
    /// <para type="description">Full help ships as MAML in XenVbd.PowerShell.dll-Help.xml.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "VbdFault")]
    [OutputType(typeof(FaultRule))]
    public sealed class GetVbdFaultCommand : VbdDeviceCommandBase
    {
        /// <summary>Only the rule(s) with these ids.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public int[]? Id { get; set; }

        /// <inheritdoc />
        protected override bool AllDevicesByDefault => true;

        /// <inheritdoc />
        protected override void ProcessDevice(DeviceSession session)
        {
            if (!session.HasFaults)
            {
                return;
            }

            foreach (FaultRule rule in session.Faults.Plan.Rules)
            {
                if (Id is null || System.Array.IndexOf(Id, rule.Id) >= 0)
                {
                    WriteObject(Decorate.WithDevice(rule, session.Name));
                }
            }
        }
    }
}
