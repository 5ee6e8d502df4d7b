namespace XenVbd.Backend
{
    /// <summary>How blkback decides which ring layout the frontend speaks.</summary>
    public enum BackendAbiMode
    {
        /// <summary>
        /// Linux blkback: read the frontend's <c>protocol</c> key; with no key assume x86_32, as Linux
        /// does on x86 even when dom0 is 64-bit (the key predates 64-bit guests being common).
        /// </summary>
        Protocol,

        /// <summary>
        /// A backend from before the <c>protocol</c> key existed: it uses its own native layout
        /// (<see cref="BlkBackOptions.NativeAbi"/>) whatever the frontend writes. GPLPV's ABI probe exists for these.
        /// </summary>
        Native,
    }
}
