namespace XenVbd.Frontend
{
    /// <summary>Which SRBs a frontend answers while its ABI probe is still out.</summary>
    public enum ProbeSrbPolicy
    {
        /// <summary>Every SRB waits until the probe completed.</summary>
        HoldAll = 0,

        /// <summary>SRBs the driver answers itself (INQUIRY, READ CAPACITY, MODE SENSE, ...) are answered; reads and writes wait.</summary>
        AnswerNonReadWrite,
    }
}
