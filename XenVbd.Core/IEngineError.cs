namespace XenVbd
{
    /// <summary>
    /// An engine exception a user can act on: a stable id, what kind of failure it is, and what to do. The
    /// PowerShell module turns it into an ErrorRecord with that id, category and recommended action, so the
    /// engine's failures reach the user without the module knowing every exception type.
    /// </summary>
    public interface IEngineError
    {
        /// <summary>A stable identifier (ImageLocked, NotADiskImage, ...): the ErrorRecord's id.</summary>
        string ErrorId { get; }

        /// <summary>What kind of failure it is: the ErrorRecord's category.</summary>
        EngineErrorCategory Category { get; }

        /// <summary>What the user can do about it, or null when there is nothing useful to say.</summary>
        string? RecommendedAction { get; }
    }
}
