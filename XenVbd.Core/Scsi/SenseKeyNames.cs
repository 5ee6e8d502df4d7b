namespace XenVbd.Scsi
{
    /// <summary>The names SPC-4 table 27 gives sense keys, as engineers read them in traces.</summary>
    public static class SenseKeyNames
    {
        public static string Name(SenseKey key) => key switch
        {
            SenseKey.NoSense => "NO SENSE",
            SenseKey.RecoveredError => "RECOVERED ERROR",
            SenseKey.NotReady => "NOT READY",
            SenseKey.MediumError => "MEDIUM ERROR",
            SenseKey.HardwareError => "HARDWARE ERROR",
            SenseKey.IllegalRequest => "ILLEGAL REQUEST",
            SenseKey.UnitAttention => "UNIT ATTENTION",
            SenseKey.DataProtect => "DATA PROTECT",
            SenseKey.BlankCheck => "BLANK CHECK",
            SenseKey.VendorSpecific => "VENDOR SPECIFIC",
            SenseKey.CopyAborted => "COPY ABORTED",
            SenseKey.AbortedCommand => "ABORTED COMMAND",
            SenseKey.Reserved0C => "RESERVED (0Ch)",
            SenseKey.VolumeOverflow => "VOLUME OVERFLOW",
            SenseKey.Miscompare => "MISCOMPARE",
            SenseKey.Completed => "COMPLETED",
            // Only reachable through a cast of an out-of-range byte; the reader masks to 4 bits.
            _ => "SENSE KEY " + ((byte)key).ToString("X2") + "h",
        };
    }
}
