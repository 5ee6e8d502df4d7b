using System.Management.Automation;
using XenVbd.Frontend;
using XenVbd.PowerShell.Infrastructure;

namespace XenVbd.PowerShell.Cmdlets
{
    /// <summary>
    /// <para type="synopsis">Gets a device's counters: SRBs, ring requests, bounce passes and bytes, probes, ABI switches, resets.</para>
    /// <para type="description">Full help ships as MAML in XenVbd.PowerShell.dll-Help.xml.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "VbdStatistic")]
    [OutputType(typeof(FrontendStatistics))]
    public sealed class GetVbdStatisticCommand : VbdDeviceCommandBase
    {
        /// <inheritdoc />
        protected override bool AllDevicesByDefault => true;

        /// <inheritdoc />
        protected override void ProcessDevice(DeviceSession session)
        {
            var pso = Decorate.WithBackendGrants(Decorate.WithDevice(session.Device.GetStatistics(), session.Name), session.Device.GetBackendGrants());
            // Per-queue counts: one row per queue the frontend may use (Queues is how many the connection uses).
            pso.Properties.Add(new PSNoteProperty("Queues", session.Device.Queues));
            pso.Properties.Add(new PSNoteProperty("QueueStatistics", session.Device.GetQueueStatistics()));
            WriteObject(pso);
        }
    }
}
