using System.Management.Automation;
using XenVbd.Frontend;
using XenVbd.PowerShell.Infrastructure;

namespace XenVbd.PowerShell.Cmdlets
{
    /// <summary>
    /// <para type="synopsis">Gets a device's shared ring: layout, indices and the slots in flight.</para>
    /// <para type="description">Full help ships as MAML in XenVbd.PowerShell.dll-Help.xml.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "VbdRing", DefaultParameterSetName = "Ring")]
    [OutputType(typeof(RingSnapshot), ParameterSetName = new[] { "Ring" })]
    [OutputType(typeof(RingSlotInfo), ParameterSetName = new[] { "InFlight" })]
    public sealed class GetVbdRingCommand : VbdDeviceCommandBase
    {
        /// <summary>Returns one object per slot in flight instead of the ring.</summary>
        [Parameter(Mandatory = true, ParameterSetName = "InFlight")]
        public SwitchParameter InFlight { get; set; }

        /// <inheritdoc />
        protected override bool AllDevicesByDefault => true;

        /// <inheritdoc />
        protected override void ProcessDevice(DeviceSession session)
        {
            var rings = session.Device.GetRings();
            if (rings.Count == 0)
            {
                this.WriteError(ErrorIds.RingNotConnected, ErrorCategory.ResourceUnavailable, session.Name,
                    "The device '" + session.Name + "' has no ring right now (frontend state " + session.Device.State + ").",
                    "Wait for the frontend to reconnect, or run Reset-VbdDevice " + session.Name + ".");
                return;
            }

            // One object per queue the connection uses (queue 0 first), each with its own indices, slots and counts.
            var grants = session.Device.GetBackendGrants();
            foreach (RingSnapshot ring in rings)
            {
                if (!InFlight)
                {
                    WriteObject(Decorate.WithBackendGrants(Decorate.WithDevice(ring, session.Name), grants));
                    continue;
                }

                foreach (RingSlotInfo slot in ring.InFlight)
                {
                    WriteObject(Decorate.WithDevice(slot, session.Name));
                }
            }
        }
    }
}
