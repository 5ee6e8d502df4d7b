namespace XenVbd.Frontend
{
    /// <summary>The frontend's own view of the device, finer than its XenBus state.</summary>
    public enum FrontendState
    {
        Created = 0,

        /// <summary>Waiting for the backend to publish its features (InitWait).</summary>
        WaitingForBackend,

        /// <summary>Ring granted and keys written (Initialised); waiting for the backend to connect.</summary>
        Initialised,

        /// <summary>Connected; running the ABI probe. Read/write SRBs wait.</summary>
        Probing,

        /// <summary>Connected in Announce mode; checking with one read that the backend reads our layout.</summary>
        Verifying,

        /// <summary>Moving data.</summary>
        Ready,

        /// <summary>The backend went away (closing, migration, suspend); in-flight work waits to be resubmitted.</summary>
        Disconnected,

        /// <summary>The backend answered in a way no correct backend can; pending SRBs were failed once. Terminal until reconnect.</summary>
        Broken,

        /// <summary>The announced layout is not the one the backend reads and this mode cannot switch. Terminal until reconnect.</summary>
        LayoutMismatch,

        /// <summary>
        /// The frontend was removed (disposed with its device) and serves nothing any more, as the Xen Project driver's
        /// frontend ends in <c>XENVBD_CLOSED</c> (win-xenvbd <c>frontend.c</c>, <c>__FrontendSetState</c>). Terminal.
        /// </summary>
        Closed,

        /// <summary>
        /// The model stopped the simulated driver where the real one would read memory outside its own structures or
        /// dereference a missing SRB (a crash in the guest). <see cref="XenVbdFrontend.FailureReason"/> says exactly where;
        /// nothing pending completes, new SRBs get HARDWARE ERROR. Terminal until reconnect.
        /// </summary>
        Stopped,
    }
}
