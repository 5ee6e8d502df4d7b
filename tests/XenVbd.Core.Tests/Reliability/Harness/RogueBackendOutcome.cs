namespace XenVbd.Reliability
{
    /// <summary>What one rogue-backend case did, for counting (and for showing which deep states the cases reach).</summary>
    public struct RogueBackendOutcome
    {
        public int Srbs;
        public int Ok;
        public int Failed;
        public bool Broken;

        /// <summary>Requests blkback consumed (each one took a decision byte while the input lasted).</summary>
        public long RequestsConsumed;

        /// <summary>Responses to requests whose SRB a reset had already completed.</summary>
        public long LateResponses;

        public long WatchdogTimeouts;
        public int MultiPassSrbs;
        public long IndirectRequests;

        /// <summary>Grants the frontend found still mapped when it ended access (XSA-396 quarantine).</summary>
        public long GrantsStillMapped;

        public long BounceWaitTimeouts;

        /// <summary>Grants the harness kept mapped as a backend that does not let go.</summary>
        public int GrantsKept;

        /// <summary>Successful SRBs whose bytes were checked against the disk.</summary>
        public int DataChecked;

        /// <summary>Responses the frontend must reject (duplicate, corrupt id, corrupt operation) were sent.</summary>
        public bool RogueSent;

        /// <summary>Responses no frontend can check (OKAY without I/O, another pending request's id, rsp_prod over stale slots) were sent.</summary>
        public bool UndetectableSent;
    }
}
