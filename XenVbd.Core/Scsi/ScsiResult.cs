namespace XenVbd.Scsi
{
    /// <summary>
    /// What a builder or parser that can refuse returns: bytes (or items) written, or the sense condition
    /// to report with CHECK CONDITION. A struct so the I/O path allocates nothing.
    /// </summary>
    public readonly struct ScsiResult
    {
        private ScsiResult(int length, SenseInfo error)
        {
            Length = length;
            Error = error;
        }

        /// <summary>Bytes written to the caller's span (items, for <see cref="UnmapParameterList"/>); 0 on error.</summary>
        public int Length { get; }

        /// <summary><see cref="SenseInfo.None"/> on success.</summary>
        public SenseInfo Error { get; }

        public bool IsError => !Error.IsNone;

        public static ScsiResult Ok(int length) => new ScsiResult(length, SenseInfo.None);

        public static ScsiResult Fail(in SenseInfo error) => new ScsiResult(0, error);

        public override string ToString() => IsError ? Error.ToString() : "GOOD, " + Length + " bytes";
    }
}
