using XenVbd.Sim;

namespace XenVbd.Workload
{
    /// <summary>
    /// What a workload drives: a simulated device (frontend, ring, backend, disk) or, for calibration and
    /// tests, a disk directly. Operations complete asynchronously on <see cref="Scheduler"/>.
    /// </summary>
    public interface IWorkloadTarget
    {
        Scheduler Scheduler { get; }

        int LogicalSectorSize { get; }

        long SizeBytes { get; }

        /// <summary>Requests currently on the ring, sampled at each completion for the occupancy plot.</summary>
        int RingOccupancy { get; }

        WorkloadTargetCounters ReadCounters();

        /// <summary>Starts <paramref name="io"/>; <paramref name="completion"/> must be told exactly once, later, on the scheduler.</summary>
        void Start(WorkloadIo io, IWorkloadCompletion completion);
    }
}
