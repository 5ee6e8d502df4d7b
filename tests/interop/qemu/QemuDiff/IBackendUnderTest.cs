using System;
using XenVbd.Transport;

namespace XenVbd.Interop.QemuDiff
{
    /// <summary>A backend serving the shared-memory file: real QEMU in its own process, or the model in this one.</summary>
    public interface IBackendUnderTest : IDisposable
    {
        string Name { get; }

        /// <summary>Attach to the file the frontend has just created (Initialising).</summary>
        void Start(SharedMemoryFile file, string imagePath);

        /// <summary>Let the backend make progress while the frontend waits (QEMU: yield; the model: one poll).</summary>
        void Pump();

        /// <summary>Stop it (QEMU: by its pid) and release the image, so its bytes can be read.</summary>
        void Stop();

        /// <summary>What the backend logged, for a failure report.</summary>
        string Log { get; }
    }
}
