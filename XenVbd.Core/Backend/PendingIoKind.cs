namespace XenVbd.Backend
{
    /// <summary>What an in-flight request does to the disk when it completes.</summary>
    internal enum PendingIoKind : byte
    {
        /// <summary>Nothing: refused, or a flush without data (done when it was submitted).</summary>
        None,

        /// <summary>Reads the disk into the granted pages.</summary>
        Read,

        /// <summary>Writes the granted pages to the disk (its volatile cache, when it has one).</summary>
        Write,

        /// <summary>Frees whole granules.</summary>
        Discard,
    }
}
