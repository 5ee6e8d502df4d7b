namespace XenVbd.Interop.QemuDiff
{
    /// <summary>What a stream does besides (or instead of) its generated steps.</summary>
    public enum DiffScenario
    {
        /// <summary>Connect, run the generated steps, close.</summary>
        Steps,

        /// <summary>ring-ref names a grant that was never made (flags 0): what does the backend do at connect?</summary>
        RingRefUngranted,

        /// <summary>ring-ref is past the end of the grant table.</summary>
        RingRefOutOfTable,

        /// <summary>ring-ref is granted read-only: the backend cannot write responses into it.</summary>
        RingRefReadOnly,

        /// <summary>
        /// req_prod moves while the backend consumes: many one-segment WRITEs, each published (and notified as
        /// ring.h says) the moment it is written, waiting only for ring space, never for the backend.
        /// </summary>
        RequestProducerRace,
    }
}
