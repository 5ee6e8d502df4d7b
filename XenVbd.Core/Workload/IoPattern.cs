namespace XenVbd.Workload
{
    /// <summary>fio's <c>rw=</c> address pattern.</summary>
    public enum IoPattern
    {
        Sequential,
        Random,
    }
}
