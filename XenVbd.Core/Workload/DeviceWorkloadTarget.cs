using System;
using System.Threading.Tasks;
using Polly;
using XenVbd.Device;
using XenVbd.Faults;
using XenVbd.Frontend;
using XenVbd.Scsi;

namespace XenVbd.Workload
{
    /// <summary>
    /// Drives a <see cref="VbdDevice"/> with SCSI READ(16)/WRITE(16)/SYNCHRONIZE CACHE SRBs. Each queue
    /// slot owns an SRB and a page-aligned guest buffer made up front; the workload's alignment offset
    /// is applied to the guest address, so the frontend really sees a misaligned buffer. Without a host
    /// retry pipeline the path allocates nothing per operation; with one, each SRB runs through Polly
    /// (retry, breaker, host chaos) as a Windows class driver would.
    /// </summary>
    public sealed class DeviceWorkloadTarget : IWorkloadTarget
    {
        private readonly VbdDevice _device;
        private readonly Srb[] _srbs;
        private readonly ulong[] _buffers;
        private readonly IWorkloadCompletion?[] _sinks;
        private readonly Action<Srb> _onCompleted;
        private readonly ResiliencePipeline<SrbStatus>? _retry;
        private readonly TaskCompletionSource<SrbStatus>?[] _attempts;
        private long _doubleCompletions;

        public DeviceWorkloadTarget(VbdDevice device, int queueDepth, int maxTransferBytes, HostRetryOptions? retry = null, HostRetryCounters? retryCounters = null)
        {
            _device = device ?? throw new ArgumentNullException(nameof(device));
            if (queueDepth < 1) throw new ArgumentOutOfRangeException(nameof(queueDepth), queueDepth, "Must be positive.");
            _srbs = new Srb[queueDepth];
            _buffers = new ulong[queueDepth];
            _sinks = new IWorkloadCompletion?[queueDepth];
            _attempts = new TaskCompletionSource<SrbStatus>?[queueDepth];
            for (int i = 0; i < queueDepth; i++)
            {
                _srbs[i] = new Srb();
                _buffers[i] = device.AllocateGuestBuffer(maxTransferBytes + 512);
            }
            _onCompleted = OnSrbCompleted;
            if (retry != null)
            {
                RetryCounters = retryCounters ?? new HostRetryCounters();
                // A per-attempt host timeout would need an SRB abort the model lacks; the frontend's own watchdog and reset cover it.
                var options = new HostRetryOptions
                {
                    MaxRetries = retry.MaxRetries,
                    BaseDelay = retry.BaseDelay,
                    MaxDelay = retry.MaxDelay,
                    AttemptTimeout = null,
                    UseCircuitBreaker = retry.UseCircuitBreaker,
                    BreakerFailureRatio = retry.BreakerFailureRatio,
                    BreakerMinimumThroughput = retry.BreakerMinimumThroughput,
                    BreakerSamplingDuration = retry.BreakerSamplingDuration,
                    BreakerBreakDuration = retry.BreakerBreakDuration,
                    HostStallRate = retry.HostStallRate,
                    HostStall = retry.HostStall,
                    HostBusResetRate = retry.HostBusResetRate,
                };
                _retry = HostRetryPipeline.Build<SrbStatus>(options, device.Host.Scheduler, device.Host.Scheduler.Random.Fork("host-retry"), IsTransient, RetryCounters);
            }
        }

        /// <summary>
        /// What to set <see cref="VbdDeviceOptions.GuestBufferBytes"/> to so a target of this shape fits: the
        /// device keeps half of that area for <see cref="VbdDevice.Execute"/>, the slots take the rest.
        /// </summary>
        public static int GuestBufferBytesFor(int queueDepth, int maxTransferBytes)
        {
            long perSlot = (maxTransferBytes + 512L + XenPage.Size - 1) / XenPage.Size * XenPage.Size;
            long total = 2 * (queueDepth * perSlot + 4 * XenPage.Size);
            return (int)Math.Max(8 << 20, Math.Min(int.MaxValue / 2, total));
        }

        public Sim.Scheduler Scheduler => _device.Host.Scheduler;

        /// <summary>The frontend personality of the device, as a result reports it.</summary>
        public string Personality => _device.Personality.ToString();

        public int LogicalSectorSize => _device.Options.LogicalSectorSize;

        public long SizeBytes => _device.Storage.SizeBytes;

        public int RingOccupancy => _device.Frontend.RequestsInFlight;

        public HostRetryCounters? RetryCounters { get; }

        /// <summary>Completions the frontend attempted beyond the first, summed over every SRB (must stay 0).</summary>
        public long DoubleCompletions => _doubleCompletions;

        public WorkloadTargetCounters ReadCounters()
        {
            var s = _device.GetStatistics();
            return new WorkloadTargetCounters
            {
                Requests = s.Requests,
                Probes = s.Probes,
                AbiSwitches = s.AbiSwitches,
                Requeues = s.Requeues,
                Timeouts = s.Timeouts,
                Resets = s.Resets,
                Reconnects = s.Reconnects,
            };
        }

        public void Start(WorkloadIo io, IWorkloadCompletion completion)
        {
            if ((uint)io.Slot >= (uint)_srbs.Length)
                throw new InvalidOperationException($"The workload's queue depth exceeds the {_srbs.Length} slots this target was built with.");
            _sinks[io.Slot] = completion;
            if (_retry == null)
            {
                Submit(io);
                return;
            }
            _ = RunWithRetry(io, completion);
        }

        private void Submit(WorkloadIo io)
        {
            var srb = _srbs[io.Slot];
            _doubleCompletions += srb.ExtraCompletionAttempts;
            ulong address = _buffers[io.Slot] + (ulong)io.AlignmentOffset;
            Span<byte> cdb = stackalloc byte[CdbBuilder.MaxCdbLength];
            if (io.Kind == WorkloadIoKind.Flush)
            {
                srb.Prepare(cdb.Slice(0, CdbBuilder.WriteSynchronizeCache(cdb)), 0, 0, DataDirection.None);
            }
            else
            {
                bool write = io.Kind == WorkloadIoKind.Write;
                DataDirection direction = write ? DataDirection.Out : DataDirection.In;
                CdbBuilder.WriteReadWrite16(cdb, write, io.Lba, (uint)io.Blocks);
                if (io.Kind == WorkloadIoKind.Write) io.Data.CopyTo(_device.GuestBytes(address, io.Length));
                srb.Prepare(cdb, address, io.Length, direction);
            }
            srb.Completed = _onCompleted;
            srb.Context = io;
            _device.Submit(srb);
        }

        private void OnSrbCompleted(Srb srb)
        {
            var io = (WorkloadIo)srb.Context!;
            io.Success = srb.SrbStatus.Base() == SrbStatus.Success && srb.ScsiStatus == ScsiStatus.Good;
            if (io.Success && io.Kind == WorkloadIoKind.Read)
                _device.GuestBytes(_buffers[io.Slot] + (ulong)io.AlignmentOffset, io.Length).CopyTo(io.Data);
            io.RequestsUsed += srb.RequestsUsed;
            io.BouncePasses += srb.BouncePasses;
            io.BytesBounced += srb.BytesBounced;
            if (_retry != null)
            {
                _attempts[io.Slot]!.TrySetResult(io.Success ? SrbStatus.Success : srb.SrbStatus.Base());
                return;
            }
            _sinks[io.Slot]!.OnCompleted(io);
        }

        private async Task RunWithRetry(WorkloadIo io, IWorkloadCompletion completion)
        {
            var context = HostRetryPipeline.RentContext();
            try
            {
                await _retry!.ExecuteAsync(static (ctx, state) => state.self.Attempt(state.io), context, (self: this, io)).ConfigureAwait(true);
            }
            catch (Exception ex) when (ex is TransientSrbException || ex is Polly.CircuitBreaker.BrokenCircuitException)
            {
                io.Success = false;
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }
            completion.OnCompleted(io);
        }

        private ValueTask<SrbStatus> Attempt(WorkloadIo io)
        {
            var tcs = new TaskCompletionSource<SrbStatus>();
            _attempts[io.Slot] = tcs;
            Submit(io);
            return new ValueTask<SrbStatus>(tcs.Task);
        }

        /// <summary>What classpnp retries: busy, bus reset, timeouts and generic errors; not invalid requests.</summary>
        private static bool IsTransient(SrbStatus status) => status == SrbStatus.Busy || status == SrbStatus.BusReset
            || status == SrbStatus.Timeout || status == SrbStatus.CommandTimeout || status == SrbStatus.Error || status == SrbStatus.RequestFlushed;
    }
}
