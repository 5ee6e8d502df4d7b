using XenVbd.Backend;
using XenVbd.Frontend;
using XenVbd.Ring;

namespace XenVbd.Device
{
    /// <summary>What moving the vbd to another backend (dom0) did.</summary>
    public sealed class MigrationResult
    {
        public MigrationResult(BlkifAbi oldBackendAbi, BackendAbiMode oldBackendMode, BlkifAbi newBackendAbi, BackendAbiMode newBackendMode,
            BlkifAbi frontendAbiBefore, BlkifAbi frontendAbiAfter, bool reprobed, bool switched, long srbsResubmitted, FrontendState state,
            BackendPersonality oldBackendPersonality = BackendPersonality.LinuxBlkback, BackendPersonality newBackendPersonality = BackendPersonality.LinuxBlkback)
        {
            OldBackendPersonality = oldBackendPersonality;
            NewBackendPersonality = newBackendPersonality;
            OldBackendAbi = oldBackendAbi;
            OldBackendMode = oldBackendMode;
            NewBackendAbi = newBackendAbi;
            NewBackendMode = newBackendMode;
            FrontendAbiBefore = frontendAbiBefore;
            FrontendAbiAfter = frontendAbiAfter;
            Reprobed = reprobed;
            Switched = switched;
            SrbsResubmitted = srbsResubmitted;
            State = state;
        }

        /// <summary>The real backend the old dom0 ran.</summary>
        public BackendPersonality OldBackendPersonality { get; }

        /// <summary>The real backend the new dom0 runs.</summary>
        public BackendPersonality NewBackendPersonality { get; }

        public BlkifAbi OldBackendAbi { get; }
        public BackendAbiMode OldBackendMode { get; }
        public BlkifAbi NewBackendAbi { get; }
        public BackendAbiMode NewBackendMode { get; }
        public BlkifAbi FrontendAbiBefore { get; }
        public BlkifAbi FrontendAbiAfter { get; }

        /// <summary>The frontend ran the ABI probe against the new backend.</summary>
        public bool Reprobed { get; }

        /// <summary>That probe switched away from the frontend's own layout.</summary>
        public bool Switched { get; }

        /// <summary>SRBs whose in-flight requests went out again to the new backend.</summary>
        public long SrbsResubmitted { get; }

        /// <summary>The layout in use differs from before the move.</summary>
        public bool LayoutChanged => FrontendAbiBefore != FrontendAbiAfter;

        public FrontendState State { get; }
    }
}
