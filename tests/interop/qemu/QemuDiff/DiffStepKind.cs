namespace XenVbd.Interop.QemuDiff
{
    public enum DiffStepKind
    {
        /// <summary>One request pushed, its response waited for.</summary>
        Single,

        /// <summary>Several requests pushed at once (disjoint pages and sectors, so completion order alone may differ).</summary>
        Batch,

        /// <summary>Every ring slot filled, then req_prod set more than a ring ahead of the responses.</summary>
        Overflow,
    }
}
