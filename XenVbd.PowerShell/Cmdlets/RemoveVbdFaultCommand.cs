using System.Management.Automation;
using XenVbd.Faults;
using XenVbd.PowerShell.Infrastructure;

namespace XenVbd.PowerShell.Cmdlets
{
    /// <summary>
    /// <para type="synopsis">Removes fault rules from a device's fault plan: by id, or all of them.</para>
    /// <para type="description">Full help ships as MAML in XenVbd.PowerShell.dll-Help.xml.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "VbdFault", SupportsShouldProcess = true, DefaultParameterSetName = "Id")]
    [OutputType(typeof(void))]
    public sealed class RemoveVbdFaultCommand : VbdDeviceCommandBase
    {
        [Parameter(Mandatory = true, ParameterSetName = "Id", Position = 1, ValueFromPipelineByPropertyName = true)]
        public int[]? Id { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = "All")]
        public SwitchParameter All { get; set; }

        /// <inheritdoc />
        protected override void ProcessDevice(DeviceSession session)
        {
            FaultPlan? plan = session.HasFaults ? session.Faults.Plan : null;
            if (All)
            {
                if (plan is not null && ShouldProcess(session.Name, "Remove all " + plan.Count + " fault rule(s)"))
                {
                    plan.Clear();
                }

                return;
            }

            foreach (int id in Id!)
            {
                FaultRule? rule = plan?.Find(id);
                if (rule is null)
                {
                    this.WriteError(ErrorIds.FaultNotFound, ErrorCategory.ObjectNotFound, id,
                        "The device '" + session.Name + "' has no fault rule with id " + id + ".",
                        "Run Get-VbdFault -Name " + session.Name + " to see the rules and their ids.");
                    continue;
                }

                if (ShouldProcess(session.Name, "Remove fault " + id + " (" + rule + ")"))
                {
                    plan!.Remove(id);
                }
            }
        }
    }
}
