using XenVbd.Workload;

namespace XenVbd.Lab
{
    /// <summary>A workload a lab ran, with a label for the plots.</summary>
    /// <param name="Label">What the plots call the run.</param>
    /// <param name="Result">What the workload measured.</param>
    public sealed record LabWorkload(string Label, WorkloadResult Result);
}
