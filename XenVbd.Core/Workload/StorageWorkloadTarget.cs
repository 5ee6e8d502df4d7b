using System;
using XenVbd.Sim;
using XenVbd.Storage;

namespace XenVbd.Workload
{
    /// <summary>
    /// A target that is just a disk with a fixed service time: the baseline a device is compared against,
    /// and the harness that proves the verifier catches what a faulty disk does.
    /// </summary>
    public sealed class StorageWorkloadTarget : IWorkloadTarget, ISimEventHandler
    {
        private readonly IBlockStorage _disk;
        private readonly long _serviceTicks;
        private readonly WorkloadIo?[] _slots = new WorkloadIo?[1024];
        private readonly IWorkloadCompletion?[] _sinks = new IWorkloadCompletion?[1024];
        private int _inFlight;

        public StorageWorkloadTarget(IBlockStorage disk, Scheduler scheduler, TimeSpan serviceTime)
        {
            _disk = disk ?? throw new ArgumentNullException(nameof(disk));
            Scheduler = scheduler ?? throw new ArgumentNullException(nameof(scheduler));
            _serviceTicks = Math.Max(0, serviceTime.Ticks);
        }

        public Scheduler Scheduler { get; }

        public int LogicalSectorSize => _disk.LogicalSectorSize;

        public long SizeBytes => _disk.SizeBytes;

        public int RingOccupancy => _inFlight;

        public long Operations { get; private set; }

        public WorkloadTargetCounters ReadCounters() => new WorkloadTargetCounters { Requests = Operations };

        public void Start(WorkloadIo io, IWorkloadCompletion completion)
        {
            _slots[io.Slot] = io;
            _sinks[io.Slot] = completion;
            _inFlight++;
            Scheduler.Schedule(_serviceTicks, this, 0, io.Slot);
        }

        void ISimEventHandler.OnSimEvent(int kind, long argument)
        {
            var io = _slots[argument]!;
            var sink = _sinks[argument]!;
            _slots[argument] = null;
            _inFlight--;
            Operations++;
            try
            {
                long offset = io.Lba * _disk.LogicalSectorSize;
                switch (io.Kind)
                {
                    case WorkloadIoKind.Read:
                        _disk.Read(offset, io.Data);
                        break;
                    case WorkloadIoKind.Write:
                        _disk.Write(offset, io.Data);
                        break;
                    default:
                        _disk.Flush();
                        break;
                }
                io.Success = true;
            }
            catch (StorageException)
            {
                io.Success = false;
            }
            io.RequestsUsed = 1;
            sink.OnCompleted(io);
        }
    }
}
