using System;
using System.Collections.Generic;
using XenVbd.Personality;

namespace XenVbd.Frontend
{
    /// <summary>
    /// One frontend personality: the typed switches <see cref="XenVbdFrontend"/> reads at each seam (protocol key,
    /// probe, bounce, response checks, SCSI dispatch, XenBus path, recovery), and the same behaviours as text with
    /// the source of each (<see cref="Behaviours"/>), from which <c>docs/PERSONALITIES.md</c> is generated. The
    /// catalogue is <see cref="FrontendPersonalities"/>.
    /// </summary>
    public sealed class FrontendBehaviours : IDriverPersonality
    {
        internal FrontendBehaviours(FrontendPersonality personality, string description, bool isRealDriver, IReadOnlyList<DriverBehaviour> behaviours)
        {
            Personality = personality;
            Description = description;
            IsRealDriver = isRealDriver;
            Behaviours = behaviours ?? throw new ArgumentNullException(nameof(behaviours));
        }

        public FrontendPersonality Personality { get; }

        public string Name => Personality.ToString();

        public string Description { get; }

        public bool IsRealDriver { get; }

        public IReadOnlyList<DriverBehaviour> Behaviours { get; }

        /// <summary>
        /// True for this project's hardened design only: whether <c>protocol</c> is written, whether the probe runs and
        /// the layout check read come from <see cref="FrontendOptions.Mode"/> and <see cref="FrontendOptions.VerifyLayoutOnConnect"/>,
        /// and the bounce strategy from <see cref="FrontendOptions.Bounce"/>. A real driver fixes all of these.
        /// </summary>
        public bool TakesAbiModeAndBounceFromOptions { get; init; }

        /// <summary>Writes the frontend's <c>protocol</c> key (ignored when <see cref="TakesAbiModeAndBounceFromOptions"/>).</summary>
        public bool WritesProtocol { get; init; }

        /// <summary>When the probe runs (ignored when <see cref="TakesAbiModeAndBounceFromOptions"/>, where the mode says).</summary>
        public ProbePolicy Probe { get; init; }

        public ProbeSrbPolicy SrbsDuringProbe { get; init; }

        public StuckProbePolicy StuckProbe { get; init; }

        public BounceAlignmentTest BounceAlignment { get; init; }

        /// <summary>The bounce strategy (ignored when <see cref="TakesAbiModeAndBounceFromOptions"/>).</summary>
        public BounceStrategyKind Bounce { get; init; }

        /// <summary>While the device bounce buffer is busy no SRB at all goes to the ring, aligned ones included.</summary>
        public bool BounceBufferStallsQueue { get; init; }

        public ResponseValidation Responses { get; init; }

        /// <summary>For <see cref="ResponseValidation.Unchecked"/>: the mask the driver applies to a response id (0 = the raw id).</summary>
        public ulong ShadowIdMask { get; init; }

        /// <summary>For <see cref="ResponseValidation.Unchecked"/>: entries in the driver's shadow array; an index past it reads foreign memory.</summary>
        public int ShadowArrayEntries { get; init; }

        /// <summary>An INDIRECT request's response must echo the indirect operation (blkfront); otherwise op 6 is accepted too.</summary>
        public bool IndirectResponseEchoesIndirectOp { get; init; }

        public SyncCachePolicy SynchronizeCache { get; init; }

        public UnmapPolicy Unmap { get; init; }

        public FlushAnswerPolicy FlushAnswers { get; init; }

        public FuaPolicy Fua { get; init; }

        public XenbusPathPolicy XenbusPath { get; init; }

        public UnansweredRequestPolicy UnansweredRequests { get; init; }

        /// <summary>An SRB whose sectors overlap an outstanding WRITE waits at the head of the queue, and every SRB behind it with it.</summary>
        public bool StallsOnOverlappingWrite { get; init; }

        /// <summary>Whether the probe's outcome is saved for, and taken by, a later instance on the same config page (crash dump, hibernate).</summary>
        public ProbeCachePolicy ProbeCache { get; init; }

        /// <summary>What an adapter restart (ScsiRestartAdapter) does to the ABI detector.</summary>
        public AdapterRestartPolicy AdapterRestart { get; init; }
        /// <summary>Offers <c>feature-persistent</c> and, when the backend agrees, bounces every segment through pages that stay granted (<see cref="PersistentGrantPool"/>).</summary>
        public bool PersistentGrants { get; init; }

        /// <summary>Whether the driver uses several rings per device when the backend offers them, and how.</summary>
        public MultiQueuePolicy MultiQueue { get; init; }

        public override string ToString() => Name;
    }
}
