namespace XenVbd.Scsi
{
    /// <summary>Direction of the data phase, as SRB_FLAGS_DATA_IN / DATA_OUT would say.</summary>
    public enum DataDirection
    {
        None = 0,

        /// <summary>Target to initiator (READ, INQUIRY, ...).</summary>
        In,

        /// <summary>Initiator to target (WRITE, UNMAP parameter list, VERIFY with BYTCHK).</summary>
        Out,
    }
}
