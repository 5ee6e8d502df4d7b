using XenVbd.Personality;

namespace XenVbd.PowerShell
{
    /// <summary>One personality as Get-VbdPersonality lists it: which driver, real or this project's own, how many behaviours.</summary>
    public sealed class VbdPersonality
    {
        internal VbdPersonality(string kind, IDriverPersonality personality)
        {
            Kind = kind;
            Personality = personality;
        }

        /// <summary>The name -Personality takes.</summary>
        public string Name => Personality.Name;

        /// <summary>Frontend (the guest's driver) or Backend (dom0's).</summary>
        public string Kind { get; }

        /// <summary>True for a real driver; false for this project's own design.</summary>
        public bool RealDriver => Personality.IsRealDriver;

        /// <summary>Behaviours the personality lists (each with its source: Get-VbdPersonality -Detailed).</summary>
        public int Behaviours => Personality.Behaviours.Count;

        /// <summary>Behaviours that could not be pinned to code (each says why).</summary>
        public int NotPinned
        {
            get
            {
                int n = 0;
                foreach (var b in Personality.Behaviours) if (b.Source is null) n++;
                return n;
            }
        }

        public string Description => Personality.Description;

        /// <summary>The engine's object, with the typed switches the model reads.</summary>
        public IDriverPersonality Personality { get; }

        public override string ToString() => Name;
    }
}
