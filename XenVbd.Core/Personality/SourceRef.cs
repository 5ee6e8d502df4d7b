using System;

namespace XenVbd.Personality
{
    /// <summary>
    /// Where a real driver's behaviour lives: a public repository, a file in it and the function that does it,
    /// with the commit or release read where one was pinned. A behaviour that could not be pinned to code has no
    /// <see cref="SourceRef"/>; it says why in <see cref="DriverBehaviour.Unpinned"/> instead of inventing one.
    /// </summary>
    public sealed record SourceRef
    {
        public SourceRef(string repository, string file, string function, string? revision = null)
        {
            if (string.IsNullOrWhiteSpace(repository)) throw new ArgumentException("A source names its repository.", nameof(repository));
            if (string.IsNullOrWhiteSpace(file)) throw new ArgumentException("A source names its file.", nameof(file));
            if (string.IsNullOrWhiteSpace(function)) throw new ArgumentException("A source names its function.", nameof(function));
            Repository = repository;
            File = file;
            Function = function;
            Revision = revision;
        }

        /// <summary>Public repository, as <c>owner/name</c> (e.g. <c>spurious/win-pvdrivers-mirror</c>, <c>torvalds/linux</c>).</summary>
        public string Repository { get; }

        /// <summary>Path of the file inside the repository.</summary>
        public string File { get; }

        /// <summary>The function (or macro, or table) that carries the behaviour.</summary>
        public string Function { get; }

        /// <summary>Commit, tag or release that was read; null where the behaviour holds across the history read.</summary>
        public string? Revision { get; }

        public override string ToString() =>
            Revision is null ? $"{Repository} {File} {Function}" : $"{Repository}@{Revision} {File} {Function}";
    }
}
