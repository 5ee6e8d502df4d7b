using System;
using XenVbd.Backend;
using XenVbd.Storage;
using XenVbd.Transport;

namespace XenVbd.Interop.QemuDiff
{
    /// <summary>The model: an unchanged BlkBack with a QEMU personality in this process, on the same kind of file and image.</summary>
    public sealed class ModelBackend : IBackendUnderTest
    {
        private readonly BackendPersonality _personality;
        private ShmBackendHost? _host;
        private ImageFileDisk? _disk;

        public ModelBackend(BackendPersonality personality) => _personality = personality;

        public string Name => "model " + _personality;

        public string Log => _host == null ? "" : "requests consumed " + _host.Backend.Statistics.RequestsConsumed;

        public void Start(SharedMemoryFile file, string imagePath)
        {
            _disk = ImageFileDisk.Open(imagePath);
            // What the QEMU command line gives: discard=unmap (feature-discard), the image's 512-byte blocks.
            var options = new BlkBackOptions { Personality = _personality, FeatureDiscard = true };
            _host = new ShmBackendHost(file, _disk, options);
        }

        public void Pump()
        {
            if (_host == null) throw new InvalidOperationException("The model backend is not started.");
            _host.Poll();
        }

        public void Stop()
        {
            _host?.Dispose();
            _host = null;
            _disk?.Dispose();
            _disk = null;
        }

        public void Dispose() => Stop();
    }
}
