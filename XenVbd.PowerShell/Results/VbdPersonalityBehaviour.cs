using XenVbd.Personality;

namespace XenVbd.PowerShell
{
    /// <summary>One behaviour of one personality, as Get-VbdPersonality -Detailed lists it, with the code it was read from.</summary>
    public sealed class VbdPersonalityBehaviour
    {
        internal VbdPersonalityBehaviour(string personality, string kind, DriverBehaviour behaviour)
        {
            Personality = personality;
            Kind = kind;
            Behaviour = behaviour.Id;
            Summary = behaviour.Summary;
            Pinned = behaviour.Source is not null;
            Repository = behaviour.Source?.Repository;
            File = behaviour.Source?.File;
            Function = behaviour.Source?.Function;
            Revision = behaviour.Source?.Revision;
            NotPinnedBecause = behaviour.Unpinned;
        }

        public string Personality { get; }

        public string Kind { get; }

        /// <summary>Stable behaviour id (the same in every personality and in docs/PERSONALITIES.md).</summary>
        public string Behaviour { get; }

        /// <summary>What the driver does.</summary>
        public string Summary { get; }

        /// <summary>True when the behaviour was read in the driver's code (Repository, File, Function say where).</summary>
        public bool Pinned { get; }

        public string? Repository { get; }

        public string? File { get; }

        public string? Function { get; }

        public string? Revision { get; }

        /// <summary>For a behaviour that could not be pinned: what was read and what was missing.</summary>
        public string? NotPinnedBecause { get; }

        /// <summary>Where, in one line: the function first (it is what a reader searches for), then its file; or why not pinned.</summary>
        public string Source => Pinned ? Function + " (" + System.IO.Path.GetFileName(File) + ")" : "not pinned: " + NotPinnedBecause;

        public override string ToString() => Personality + "." + Behaviour;
    }
}
