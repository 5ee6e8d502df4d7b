using System;
using XenVbd.Device;
using XenVbd.Faults;
using XenVbd.Workload;

namespace XenVbd.Tests.Workload
{
    public class DeviceWorkloadTests
    {
        private static WorkloadSpec Mixed(long count = 2000) => new WorkloadSpec
        {
            Name = "mixed",
            BlockSizes = BlockSizeDistribution.WindowsMix,
            MisalignedFraction = 0.3,
            QueueDepth = 8,
            Count = count,
            LengthBytes = 8 << 20,
            Seed = 21,
        };

        private static VbdDeviceOptions Options(ulong seed) => new VbdDeviceOptions
        {
            Seed = seed,
            GuestBufferBytes = DeviceWorkloadTarget.GuestBufferBytesFor(8, BlockSizeDistribution.WindowsMix.MaxBytes),
        };

        [Fact]
        public void A_verified_mixed_workload_through_the_device_keeps_every_byte()
        {
            using var device = VbdDevice.Create(Options(3));
            var spec = Mixed();
            var target = new DeviceWorkloadTarget(device, spec.QueueDepth, spec.BlockSizes.MaxBytes);
            var r = WorkloadRunner.Run(target, spec);
            Assert.Equal(2000, r.Operations);
            Assert.Equal(0, r.Errors);
            Assert.Equal(0, r.ViolationCount);
            Assert.True(r.BytesBounced > 0, "misaligned buffers must be bounced");
            Assert.True(r.RingRequests >= r.Operations);
            Assert.Equal(0, target.DoubleCompletions);
        }

        [Fact]
        public void Injected_errors_are_retried_by_the_host_pipeline_and_nothing_is_lost()
        {
            using var device = VbdDevice.Create(Options(4));
            var session = DeviceFaultSession.Attach(device);
            session.Plan.Add(new FaultRule(FaultKind.Error) { Rate = 0.05 });
            var counters = new HostRetryCounters();
            var spec = Mixed(1000);
            var target = new DeviceWorkloadTarget(device, spec.QueueDepth, spec.BlockSizes.MaxBytes,
                new HostRetryOptions { MaxRetries = 8, BaseDelay = TimeSpan.FromMilliseconds(1), UseCircuitBreaker = false }, counters);
            var r = WorkloadRunner.Run(target, spec, new WorkloadRunOptions { Faults = session.Injector, HostRetries = counters });
            long injected = r.FaultsByKind["Error"];
            Assert.True(injected > 0);
            Assert.True(r.HostRetries > 0);
            // Not "no error at all": an SRB of many ring requests can fail all nine attempts at a 5 % rate (this
            // seed has two). .NET 10 once showed none only because it skipped the sub-millisecond back-off.
            Assert.True(r.Errors * 10 < injected, $"{r.Errors} of {injected} injected errors reached the caller");
            Assert.Equal(0, r.ViolationCount);
            Assert.Equal(0, r.Stuck);
        }
    }
}
