namespace XenVbd.Scsi
{
    /// <summary>MODE SENSE page control (PC) field, CDB byte 2 bits 7..6 (SPC-4 6.11).</summary>
    public enum PageControl : byte
    {
        Current = 0,
        Changeable = 1,
        Default = 2,
        Saved = 3,
    }
}
