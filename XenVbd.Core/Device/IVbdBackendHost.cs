using System;
using XenVbd.Storage;
using XenVbd.Xen;

namespace XenVbd.Device
{
    /// <summary>
    /// The seam between a <see cref="VbdDevice"/> and what serves its ring. The device's frontend runs on
    /// <see cref="Host"/> in <see cref="Guest"/> whatever the backend is; the host decides how time passes (the
    /// model's virtual clock runs as fast as it can; a real process is followed in real time, every wait bounded)
    /// and where the backend's XenStore keys come from.
    /// </summary>
    public interface IVbdBackendHost : IDisposable
    {
        VbdBackendKind Kind { get; }

        /// <summary>The frontend's machine: scheduler, XenStore, trace.</summary>
        XenHost Host { get; }

        /// <summary>The frontend's domain (guest memory, grant table).</summary>
        Domain Guest { get; }

        /// <summary>The backend's XenStore directory.</summary>
        string BackendPath { get; }

        /// <summary>"blkback model" or "QEMU 7.2.22 (pid 1234)": for messages and views.</summary>
        string Description { get; }

        /// <summary>The disk a real backend serves, opened read-only for checks; null for the model (the device opens its own).</summary>
        IBlockStorage? ServedStorage { get; }

        /// <summary>
        /// Runs the machine while <paramref name="condition"/> holds. True once it no longer holds; false if nothing more
        /// can happen first. A real backend throws <see cref="BackendTimeoutException"/> past its timeout, or
        /// <see cref="BackendProcessExitedException"/> if its process ended.
        /// </summary>
        bool RunWhile(Func<bool> condition, string waitingFor);

        /// <summary>Runs until nothing is left to do: the model until no event is scheduled, a real backend until the frontend is idle.</summary>
        void RunUntilIdle(Func<bool> frontendIdle);

        /// <summary>Brings the clock to now (a real-time host; the model's clock only moves with its events). Called outside every run loop.</summary>
        void CatchUp();

        /// <summary>Called once the frontend exists, before it starts.</summary>
        void Attach(Frontend.XenVbdFrontend frontend);

        /// <summary>An orderly end of the connection before the frontend goes away (a real backend: the XenBus close, then its process stops).</summary>
        void Shutdown();
    }
}
