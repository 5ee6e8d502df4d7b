namespace XenVbd.Faults
{
    /// <summary>
    /// What a fault rule does. Values are stable: reports and counters carry the names, and a replay
    /// command from an old report must still mean the same fault.
    /// </summary>
    public enum FaultKind
    {
        /// <summary>Extra delay before a response is pushed (fixed, uniform, exponential or Pareto).</summary>
        Latency = 0,

        /// <summary>A response held back by a random amount so later ones overtake it.</summary>
        Reorder = 1,

        /// <summary>The same response pushed twice (a rogue or buggy backend).</summary>
        Duplicate = 2,

        /// <summary>The request is consumed but no response is ever sent.</summary>
        Drop = 3,

        /// <summary>The response carries BLKIF_RSP_ERROR.</summary>
        Error = 4,

        /// <summary>The response carries BLKIF_RSP_EOPNOTSUPP.</summary>
        NotSupported = 5,

        /// <summary>Rogue backend: the response's id is not one the frontend has pending.</summary>
        BadId = 6,

        /// <summary>Rogue backend: the response's operation does not match the request's.</summary>
        WrongOp = 7,

        /// <summary>Rogue backend: <c>rsp_prod</c> jumps more than a ring ahead.</summary>
        RspProdJump = 8,

        /// <summary>An event-channel notification that never arrives.</summary>
        LostNotification = 9,

        /// <summary>A storm of spurious events on the channel (XSA-332/391).</summary>
        SpuriousEventStorm = 10,

        /// <summary>The backend disconnects mid-flight and reconnects later (XSA-350 territory).</summary>
        Disconnect = 11,

        /// <summary>The backend moves to a dom0 of the other bitness (the migration case of the GPLPV driver of 2008).</summary>
        Migration = 12,

        /// <summary>dm-dust style bad sectors: reads fail until the sector is rewritten.</summary>
        BadSectors = 13,

        /// <summary>Storage that serves bytes slowly: latency proportional to the transfer.</summary>
        SlowStorage = 14,

        /// <summary>The volatile write cache loses every unflushed write.</summary>
        PowerCut = 15,

        /// <summary>
        /// Rogue backend: the response carries the id of another request the frontend has in flight (one the backend
        /// has consumed and not yet answered, drawn from the rule's seeded stream). That request's own answer still
        /// comes later; the answered request's never does. A request consumed with no other in flight is not a chance:
        /// the rule waits (neither draws nor counts) for one that has a partner. <see cref="FaultRule.LastSwap"/> says
        /// which answer carried which id.
        /// </summary>
        SwappedId = 16,
    }
}
