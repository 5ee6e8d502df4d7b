namespace XenVbd.Workload
{
    public enum WorkloadIoKind
    {
        Read,
        Write,
        Flush,
    }
}
