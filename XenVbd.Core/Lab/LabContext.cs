using System;
using System.Threading;
using XenVbd.Device;
using XenVbd.Faults;
using XenVbd.Workload;

namespace XenVbd.Lab
{
    /// <summary>What a lab gets to work with: its seed, a way to report progress, and Ctrl+C.</summary>
    public sealed class LabContext
    {
        public LabContext(ulong seed, IProgress<LabProgress>? progress = null, CancellationToken cancellationToken = default)
        {
            Seed = seed;
            Progress = progress;
            CancellationToken = cancellationToken;
        }

        public ulong Seed { get; }

        public IProgress<LabProgress>? Progress { get; }

        public CancellationToken CancellationToken { get; }

        /// <summary>A derived seed per step, so adding a step to a lab does not change the others'.</summary>
        public ulong SeedFor(string step)
        {
            ulong h = 14695981039346656037UL ^ Seed;
            foreach (char c in step) { h ^= c; h *= 1099511628211UL; }
            return h == 0 ? 1 : h;
        }

        public void Report(string lab, string step, int percent) => Progress?.Report(new LabProgress(lab, step, percent));

        /// <summary>An in-memory device sized for a workload target of this shape.</summary>
        public VbdDevice CreateDevice(string step, int queueDepth, int maxTransferBytes, Action<VbdDeviceOptions>? configure = null)
        {
            var options = new VbdDeviceOptions
            {
                Name = step,
                SizeBytes = 64L << 20,
                Seed = SeedFor(step),
                QueueDepth = Math.Max(queueDepth, 8),
                GuestBufferBytes = DeviceWorkloadTarget.GuestBufferBytesFor(queueDepth, maxTransferBytes),
            };
            configure?.Invoke(options);
            return VbdDevice.Create(options);
        }

        public WorkloadRunOptions RunOptions(DeviceFaultSession? faults = null, HostRetryCounters? retries = null, ExpectedGenerationMap? map = null)
            => new WorkloadRunOptions { CancellationToken = CancellationToken, Faults = faults?.Injector, HostRetries = retries, Map = map };
    }
}
