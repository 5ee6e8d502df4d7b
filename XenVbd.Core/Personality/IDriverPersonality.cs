using System.Collections.Generic;

namespace XenVbd.Personality
{
    /// <summary>
    /// A named real driver generation (or this project's own hardened design, which says so): the set of
    /// behaviours the model switches on for it. Frontend and backend personalities both implement this, so one
    /// generator writes <c>docs/PERSONALITIES.md</c> and one cmdlet lists them.
    /// </summary>
    public interface IDriverPersonality
    {
        /// <summary>Name a user types (e.g. <c>Gplpv2008b</c>).</summary>
        string Name { get; }

        /// <summary>One line: which driver, which generation, which code was read.</summary>
        string Description { get; }

        /// <summary>True only for a real driver; false for a design of this project's own (never presented as real).</summary>
        bool IsRealDriver { get; }

        /// <summary>Every behaviour that distinguishes this personality, each with its source.</summary>
        IReadOnlyList<DriverBehaviour> Behaviours { get; }
    }
}
