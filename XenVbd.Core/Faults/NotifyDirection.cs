namespace XenVbd.Faults
{
    /// <summary>Which way an event-channel fault acts: a lost kick to blkback stalls requests, a lost one to the frontend stalls completions.</summary>
    public enum NotifyDirection
    {
        Both,
        FrontendToBackend,
        BackendToFrontend,
    }
}
