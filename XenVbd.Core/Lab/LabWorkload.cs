using XenVbd.Workload;

namespace XenVbd.Lab
{
    /// <summary>A workload a lab ran, with a label for the plots.</summary>
    public sealed class LabWorkload
    {
        public LabWorkload(string label, WorkloadResult result)
        {
            Label = label;
            Result = result;
        }

        public string Label { get; }

        public WorkloadResult Result { get; }
    }
}
