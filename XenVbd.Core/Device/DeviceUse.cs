using System;

namespace XenVbd.Device
{
    /// <summary>
    /// A device held by the calling thread for a span of work (a workload, a script block): while it is
    /// held, any other thread that calls into the device — including Dispose — gets an
    /// InvalidOperationException naming both threads instead of racing the single-threaded engine.
    /// Returned by <see cref="VbdDevice.Use"/>; a struct, so holding one allocates nothing.
    /// </summary>
    public readonly struct DeviceUse : IDisposable
    {
        private readonly VbdDevice? _device;

        internal DeviceUse(VbdDevice device) => _device = device;

        /// <summary>Lets other threads in again (once the outermost use on this thread ends).</summary>
        public void Dispose() => _device?.Leave();
    }
}
