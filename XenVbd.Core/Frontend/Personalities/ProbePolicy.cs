namespace XenVbd.Frontend
{
    /// <summary>When a frontend runs GPLPV's op-0xff ABI probe, and whether its result survives a resume.</summary>
    public enum ProbePolicy
    {
        /// <summary>Never probes: the frontend writes <c>protocol</c> and trusts it.</summary>
        Never = 0,

        /// <summary>Probes on every connection (each Connected, including after a resume).</summary>
        EveryConnect,

        /// <summary>Probes once; the result is kept across resume and migration (only an adapter restart resets it).</summary>
        OnceKeptAcrossResume,
    }
}
