using System.Management.Automation;
using XenVbd.Backend;
using XenVbd.Device;
using XenVbd.PowerShell.Infrastructure;
using XenVbd.Ring;

namespace XenVbd.PowerShell.Cmdlets
{
    /// <summary>
    /// <para type="synopsis">Moves a live device's backend to a dom0 of another bitness and/or ABI mode (the migration case).</para>
    /// <para type="description">Full help ships as MAML in XenVbd.PowerShell.dll-Help.xml.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "BackendAbi", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(MigrationResult))]
    public sealed class SetBackendAbiCommand : VbdDeviceCommandBase
    {
        /// <summary>The new backend's native ABI.</summary>
        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [BlkifAbiTransformation]
        [Alias("BackendAbi")]
        public BlkifAbi Abi { get => (BlkifAbi)_abi; set => _abi = (int)value; }

        private int _abi;

        /// <summary>How the new backend picks the ring layout; the device's current mode when omitted.</summary>
        [Parameter(Position = 2, ValueFromPipelineByPropertyName = true)]
        [Alias("BackendMode")]
        public BackendAbiMode Mode { get => (BackendAbiMode)_mode; set => _mode = (int)value; }

        private int _mode;

        /// <summary>Which real backend the new dom0 runs; the device's current one when omitted.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public BackendPersonality BackendPersonality { get => (BackendPersonality)_personality; set => _personality = (int)value; }

        private int _personality;

        /// <inheritdoc />
        protected override string FailureErrorId => ErrorIds.MigrationFailed;

        /// <inheritdoc />
        protected override void ProcessDevice(DeviceSession session)
        {
            VbdDevice device = session.Device;
            BackendAbiMode mode = MyInvocation.BoundParameters.ContainsKey(nameof(Mode)) ? Mode : device.BackendMode;
            BackendPersonality personality = MyInvocation.BoundParameters.ContainsKey(nameof(BackendPersonality)) ? BackendPersonality : device.BackendPersonality;
            if (!ShouldProcess(session.Name, "Reconnect the frontend to a " + personality + " " + Abi + " backend in " + mode + " mode"))
            {
                return;
            }

            MigrationResult result = device.MigrateBackend(Abi, mode, personality);
            WriteObject(Decorate.WithDevice(result, session.Name));
        }
    }
}
