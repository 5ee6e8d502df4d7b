using System.Collections.Generic;

namespace XenVbd
{
    /// <summary>
    /// An object whose state lives partly outside its managed fields (guest memory in an anonymous mapping) or
    /// that wants to keep what a restore would drop (disk chunks for reuse). A device snapshot copies and
    /// restores every managed field generically; these hooks add the rest.
    /// </summary>
    internal interface ISnapshotContent
    {
        /// <summary>What the fields do not hold, taken once when the snapshot is made (null: nothing).</summary>
        object? CaptureContent();

        /// <summary>
        /// Called before the fields are put back: bring the outside state back to <paramref name="content"/>.
        /// <paramref name="captured"/> says which objects the snapshot restores; anything else reachable now
        /// is about to be dropped.
        /// </summary>
        void RestoreContent(object? content, ISet<object> captured);
    }
}
