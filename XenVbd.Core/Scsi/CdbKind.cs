namespace XenVbd.Scsi
{
    /// <summary>What a decoded CDB asks for; several opcodes (READ 6/10/12/16) share one kind.</summary>
    public enum CdbKind
    {
        Unsupported = 0,
        TestUnitReady,
        RequestSense,
        Inquiry,
        ReadCapacity10,
        ReadCapacity16,
        ModeSense6,
        ModeSense10,
        Read,
        Write,
        Verify,
        SynchronizeCache,
        Unmap,
        StartStopUnit,
        ReportLuns,
    }
}
