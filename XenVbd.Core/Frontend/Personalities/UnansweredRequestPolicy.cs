namespace XenVbd.Frontend
{
    /// <summary>
    /// What a frontend does about a request the backend never answers: the port driver's timeout calls the
    /// driver's bus reset, and each driver's reset (or lack of one) decides what the user sees.
    /// </summary>
    public enum UnansweredRequestPolicy
    {
        /// <summary>
        /// This project's design: the reset completes every pending SRB (the timed-out one TIMEOUT, the rest BUS RESET);
        /// requests left on the ring keep their slots, which are counted and reported; an SRB waiting for a ring
        /// slot that only orphans hold completes TIMEOUT after a request timeout; a device reset reconnects
        /// through XenBus to get the slots back.
        /// </summary>
        Hardened = 0,

        /// <summary>The reset completes every SRB; the unanswered requests keep their ring slots and shadows for ever.</summary>
        ResetCompletesAll,

        /// <summary>The reset completes queued SRBs only; an SRB whose request is on the ring waits for its answer for ever.</summary>
        ResetCompletesQueuedOnly,

        /// <summary>The reset does nothing: every pending SRB waits for ever.</summary>
        ResetDoesNothing,

        /// <summary>No request timeout at all: the I/O waits for ever.</summary>
        NoTimeout,
    }
}
