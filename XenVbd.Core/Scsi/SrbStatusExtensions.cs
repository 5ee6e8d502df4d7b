namespace XenVbd.Scsi
{
    /// <summary>Helpers for the flag bits that share a byte with the SRB status proper.</summary>
    public static class SrbStatusExtensions
    {
        private const byte FlagMask = (byte)SrbStatus.QueueFrozen | (byte)SrbStatus.AutosenseValid;

        /// <summary>The status without the QUEUE_FROZEN / AUTOSENSE_VALID flags (SRB_STATUS(x) in srb.h).</summary>
        public static SrbStatus Base(this SrbStatus status) => (SrbStatus)((byte)status & ~FlagMask);

        public static bool HasAutosense(this SrbStatus status) => ((byte)status & (byte)SrbStatus.AutosenseValid) != 0;

        public static SrbStatus WithAutosense(this SrbStatus status) => status | SrbStatus.AutosenseValid;
    }
}
