namespace XenVbd.Campaign
{
    /// <summary>How a case ended.</summary>
    public enum CampaignOutcome
    {
        /// <summary>The device connected and every byte of the workload came back as written, without an error.</summary>
        Passed,

        /// <summary>The configuration did not survive: see <see cref="CampaignResult.Failure"/> for how.</summary>
        Failed,

        /// <summary>The combination cannot be built (e.g. a power cut on a device without a write cache); nothing ran.</summary>
        Invalid,
    }
}
