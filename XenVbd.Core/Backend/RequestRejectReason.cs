namespace XenVbd.Backend
{
    /// <summary>Why blkback refused a request (answered ERROR or EOPNOTSUPP without doing the I/O).</summary>
    public enum RequestRejectReason
    {
        None = 0,

        /// <summary>nr_segments 0 on an op that moves data, more than 11 on a direct request, or more than the indirect maximum.</summary>
        BadSegmentCount,

        /// <summary>A segment with first_sect &gt; last_sect or last_sect &gt; 7.</summary>
        BadSegment,

        /// <summary>The sector range runs past the end of the disk or wraps around 2^64.</summary>
        OutOfRange,

        /// <summary>A write, barrier, flush or discard to a read-only disk (Linux treats all of them as writes).</summary>
        ReadOnly,

        /// <summary>Start or a segment's length not a multiple of the logical sector size (4096-byte disks).</summary>
        Misaligned,

        /// <summary>A data or indirect page's grant could not be mapped (XSA-365: fail that request, not the ring).</summary>
        GrantMapFailed,

        /// <summary>An indirect request whose indirect_op is not READ or WRITE.</summary>
        BadIndirectOperation,

        /// <summary>The disk (or the block layer for it) does not support the operation: EOPNOTSUPP where the backend has that answer.</summary>
        NotSupported,

        /// <summary>The disk itself failed the operation (a medium error, or a check it made).</summary>
        StorageError,

        /// <summary>An operation this backend does not know: EOPNOTSUPP from current Linux, ERROR from 2008's Linux and QEMU (<see cref="BackendProfile.UnknownOperationStatus"/>).</summary>
        UnknownOperation,
    }
}
