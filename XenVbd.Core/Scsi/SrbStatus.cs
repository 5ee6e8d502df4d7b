namespace XenVbd.Scsi
{
    /// <summary>
    /// The Windows SRB_STATUS_* values (srb.h) a miniport puts in SrbStatus. The low six bits are the
    /// status; <see cref="QueueFrozen"/> and <see cref="AutosenseValid"/> are flags ORed on top, which is
    /// why this is a plain byte enum rather than [Flags]: use <see cref="SrbStatusExtensions.Base"/>
    /// to compare the status part.
    /// </summary>
    public enum SrbStatus : byte
    {
        Pending = 0x00,
        Success = 0x01,
        Aborted = 0x02,
        AbortFailed = 0x03,
        Error = 0x04,
        Busy = 0x05,
        InvalidRequest = 0x06,
        InvalidPathId = 0x07,
        NoDevice = 0x08,
        Timeout = 0x09,
        SelectionTimeout = 0x0A,
        CommandTimeout = 0x0B,
        MessageRejected = 0x0D,
        BusReset = 0x0E,
        ParityError = 0x0F,
        RequestSenseFailed = 0x10,
        NoHba = 0x11,
        DataOverrun = 0x12,
        UnexpectedBusFree = 0x13,
        PhaseSequenceFailure = 0x14,
        BadSrbBlockLength = 0x15,
        RequestFlushed = 0x16,
        InvalidLun = 0x20,
        InvalidTargetId = 0x21,
        BadFunction = 0x22,
        ErrorRecovery = 0x23,
        NotPowered = 0x24,
        LinkDown = 0x25,
        InternalError = 0x30,

        /// <summary>Flag: the port driver froze the LU queue.</summary>
        QueueFrozen = 0x40,

        /// <summary>Flag: the SRB's sense buffer holds valid sense data (set with CHECK CONDITION).</summary>
        AutosenseValid = 0x80,
    }
}
