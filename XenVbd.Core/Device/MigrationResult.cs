using XenVbd.Backend;
using XenVbd.Frontend;
using XenVbd.Ring;

namespace XenVbd.Device
{
    /// <summary>What moving the vbd to another backend (dom0) did.</summary>
    /// <param name="OldBackendAbi">The old backend's native ring layout.</param>
    /// <param name="OldBackendMode">Whether the old backend honoured the protocol key.</param>
    /// <param name="NewBackendAbi">The new backend's native ring layout.</param>
    /// <param name="NewBackendMode">Whether the new backend honours the protocol key.</param>
    /// <param name="FrontendAbiBefore">The layout the frontend used before the move.</param>
    /// <param name="FrontendAbiAfter">The layout the frontend uses after it.</param>
    /// <param name="Reprobed">The frontend ran the ABI probe against the new backend.</param>
    /// <param name="Switched">That probe switched away from the frontend's own layout.</param>
    /// <param name="SrbsResubmitted">SRBs whose in-flight requests went out again to the new backend.</param>
    /// <param name="State">The frontend's state after the move.</param>
    /// <param name="OldBackendPersonality">The real backend the old dom0 ran.</param>
    /// <param name="NewBackendPersonality">The real backend the new dom0 runs.</param>
    public sealed record MigrationResult(BlkifAbi OldBackendAbi, BackendAbiMode OldBackendMode, BlkifAbi NewBackendAbi, BackendAbiMode NewBackendMode,
        BlkifAbi FrontendAbiBefore, BlkifAbi FrontendAbiAfter, bool Reprobed, bool Switched, long SrbsResubmitted, FrontendState State,
        BackendPersonality OldBackendPersonality = BackendPersonality.LinuxBlkback, BackendPersonality NewBackendPersonality = BackendPersonality.LinuxBlkback)
    {
        /// <summary>The layout in use differs from before the move.</summary>
        public bool LayoutChanged => FrontendAbiBefore != FrontendAbiAfter;
    }
}
