namespace XenVbd.Workload
{
    /// <summary>Told by a target, on the scheduler's thread, that an operation finished (successfully or not).</summary>
    public interface IWorkloadCompletion
    {
        void OnCompleted(WorkloadIo io);
    }
}
