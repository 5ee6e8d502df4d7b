using System;
using XenVbd.Personality;

namespace XenVbd.Lab
{
    /// <summary>
    /// One case of a lab under one frontend personality: the outcome the real driver has there (from the behaviour
    /// that decides it, with that behaviour's source), and what the model showed. A lab passes a case when the two
    /// are the same word; a real driver's failure reproduced is a pass, and a regression when it stops happening.
    /// </summary>
    public sealed class LabOutcome
    {
        internal LabOutcome(string @case, string expected, DriverBehaviour behaviour)
        {
            Case = @case;
            Expected = expected;
            Behaviour = behaviour.Id;
            Because = behaviour.Summary;
            Source = behaviour.Source;
            NotPinnedBecause = behaviour.Unpinned;
        }

        /// <summary>The lab's name for the case ("BadId", "fe 64 / be 32 Native", ...).</summary>
        public string Case { get; }

        /// <summary>The outcome the real driver has: one word (Broken, Hangs, Stopped, Intact, StaleLayout, ...).</summary>
        public string Expected { get; }

        /// <summary>The behaviour id (as in <c>Get-VbdPersonality -Detailed</c>) that decides the outcome.</summary>
        public string Behaviour { get; }

        /// <summary>What that behaviour is, in the personality's words.</summary>
        public string Because { get; }

        /// <summary>Where the behaviour was read; null when it could not be pinned (<see cref="NotPinnedBecause"/> says why).</summary>
        public SourceRef? Source { get; }

        public string? NotPinnedBecause { get; }

        /// <summary>The outcome the model showed, in the same words; null until the lab observed the case.</summary>
        public string? Observed { get; internal set; }

        /// <summary>What the lab's checkers saw (integrity, exactly-once, the hang detector on the virtual clock, the device's reason).</summary>
        public string? Evidence { get; internal set; }

        public bool Matched => Observed != null && string.Equals(Observed, Expected, StringComparison.Ordinal);

        /// <summary>Where, in one line: the function and its file (what a reader searches for), or why not pinned.</summary>
        public string SourceText => Source == null
            ? "not pinned: " + NotPinnedBecause
            : Source.Function + " (" + Source.File.Substring(Source.File.LastIndexOf('/') + 1) + ")";

        public override string ToString() => Case + ": expected " + Expected + ", observed " + (Observed ?? "nothing");
    }
}
