namespace XenVbd.Faults
{
    /// <summary>
    /// The fate of one consumed request, as the fault pipeline's outcome. The default value means
    /// "serve it normally", which is what the pipeline returns when no chaos strategy injects.
    /// </summary>
    public struct BackendDecision
    {
        /// <summary>Consume the request but never answer it.</summary>
        public bool Drop;

        /// <summary>Push the response a second time (the backend's plan has one duplicate; several Duplicate rules firing still make one).</summary>
        public bool Duplicate;

        public bool OverrideStatus;

        /// <summary>BLKIF_RSP_* to answer with when <see cref="OverrideStatus"/> is set.</summary>
        public short Status;

        /// <summary>Virtual delay before the response is pushed.</summary>
        public long ExtraLatencyTicks;

        /// <summary>Answer with an id the frontend does not have pending.</summary>
        public bool CorruptId;

        /// <summary>Answer with the id of another request in flight: the backend picks the (<see cref="SwapIdPick"/> mod count)-th of them.</summary>
        public bool SwapId;

        /// <summary>The seeded draw that chooses which request in flight lends its id when <see cref="SwapId"/> is set.</summary>
        public uint SwapIdPick;

        /// <summary>The rule that asked for the swap, which records what it did (<see cref="FaultRule.LastSwap"/>).</summary>
        public FaultRule? SwapRule;

        /// <summary>Answer with an operation that does not match the request.</summary>
        public bool CorruptOp;

        /// <summary>Advance <c>rsp_prod</c> this far beyond the responses actually written (0: no jump).</summary>
        public uint RspProdJump;

        public bool IsDefault => !Drop && !Duplicate && !OverrideStatus && ExtraLatencyTicks == 0 && !CorruptId && !SwapId && !CorruptOp && RspProdJump == 0;

        public override string ToString()
        {
            if (IsDefault) return "deliver";
            var s = "";
            if (Drop) s += " drop";
            if (Duplicate) s += " duplicate";
            if (OverrideStatus) s += " status " + Status;
            if (ExtraLatencyTicks > 0) s += " +" + (ExtraLatencyTicks / 10) + "us";
            if (CorruptId) s += " bad-id";
            if (SwapId) s += " swapped-id";
            if (CorruptOp) s += " wrong-op";
            if (RspProdJump > 0) s += " rsp_prod+" + RspProdJump;
            return s.Trim();
        }
    }
}
