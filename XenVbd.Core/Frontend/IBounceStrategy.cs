namespace XenVbd.Frontend
{
    /// <summary>
    /// Lends bounce memory for one pass of an unaligned SRB. Every buffer is allocated when the
    /// strategy is built (the driver may not allocate at high IRQL); a pass that cannot get memory
    /// waits, and the frontend retries it when memory is released.
    /// </summary>
    internal interface IBounceStrategy
    {
        BounceStrategyKind Kind { get; }

        /// <summary>Largest pass, in bytes.</summary>
        int PassCapacityBytes { get; }

        /// <summary>Pages the strategy took from guest memory.</summary>
        int PagesReserved { get; }

        /// <summary>True while a single shared buffer is lent out (the device buffer); pools and per-SRB pages are never busy as a whole.</summary>
        bool Busy { get; }

        /// <summary>
        /// Opens <paramref name="extension"/>'s window on bounce memory for up to <paramref name="wantBytes"/>
        /// bytes in multiples of <paramref name="unit"/>; returns the bytes granted, 0 when it must wait.
        /// </summary>
        int TryOpen(SrbExtension extension, int wantBytes, int unit);

        void Release(SrbExtension extension);
    }
}
