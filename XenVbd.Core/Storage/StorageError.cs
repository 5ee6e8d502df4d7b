namespace XenVbd.Storage
{
    /// <summary>
    /// Why a storage operation failed. The names are stable identifiers: the PowerShell layer uses them
    /// as ErrorRecord ids and maps them to categories, and the backend maps them to blkif statuses.
    /// </summary>
    public enum StorageError
    {
        /// <summary>The file is empty or its length is not a whole number of logical sectors.</summary>
        NotADiskImage,

        /// <summary>Another opener holds the image file.</summary>
        ImageLocked,

        /// <summary>A write, discard or resize was sent to a read-only disk.</summary>
        ReadOnly,

        /// <summary>An offset, length or size lies outside what the disk can address.</summary>
        OutOfRange,

        /// <summary>An offset, length or size is not a multiple of the logical sector size.</summary>
        Misaligned,

        /// <summary>The medium could not deliver the data (an emulated bad block).</summary>
        MediumError,
    }
}
