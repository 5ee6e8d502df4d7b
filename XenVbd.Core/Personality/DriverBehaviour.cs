using System;

namespace XenVbd.Personality
{
    /// <summary>
    /// One behaviour of one real driver generation, as the model reproduces it: a stable id (what tests and the
    /// generated personality table name), what the driver does, and where in its code it does it.
    /// Exactly one of <see cref="Source"/> and <see cref="Unpinned"/> is set.
    /// </summary>
    public sealed record DriverBehaviour
    {
        private DriverBehaviour(string id, string summary, SourceRef? source, string? unpinned)
        {
            if (string.IsNullOrWhiteSpace(id)) throw new ArgumentException("A behaviour has an id.", nameof(id));
            if (string.IsNullOrWhiteSpace(summary)) throw new ArgumentException("A behaviour says what the driver does.", nameof(summary));
            Id = id;
            Summary = summary;
            Source = source;
            Unpinned = unpinned;
        }

        /// <summary>A behaviour read in the driver's code.</summary>
        public static DriverBehaviour Pinned(string id, string summary, SourceRef source) =>
            new DriverBehaviour(id, summary, source ?? throw new ArgumentNullException(nameof(source)), null);

        /// <summary>A behaviour the model needs but no code could be found for; <paramref name="why"/> says what was looked at.</summary>
        public static DriverBehaviour NotPinned(string id, string summary, string why)
        {
            if (string.IsNullOrWhiteSpace(why)) throw new ArgumentException("An unpinned behaviour says why.", nameof(why));
            return new DriverBehaviour(id, summary, null, why);
        }

        /// <summary>Stable id, PascalCase (e.g. <c>ResponseIdUnchecked</c>).</summary>
        public string Id { get; }

        /// <summary>What the real driver does, in one or two sentences.</summary>
        public string Summary { get; }

        /// <summary>Where the real driver does it; null when <see cref="Unpinned"/> says why it could not be pinned.</summary>
        public SourceRef? Source { get; }

        /// <summary>Why no source is given (what was read, what was missing); null when <see cref="Source"/> is set.</summary>
        public string? Unpinned { get; }
    }
}
