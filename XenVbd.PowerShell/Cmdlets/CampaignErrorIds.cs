namespace XenVbd.PowerShell.Cmdlets
{
    /// <summary>Error ids of the campaign cmdlets (kept beside them so the shared list stays as it is).</summary>
    public static class CampaignErrorIds
    {
        public const string InvalidCampaignMatrix = "InvalidCampaignMatrix";
        public const string PersonalityFixesAxis = "PersonalityFixesAxis";
        public const string CampaignFileNotFound = "CampaignFileNotFound";
        public const string InvalidShard = "InvalidShard";
        public const string InvalidReplayFile = "InvalidReplayFile";
        public const string ReplayDiffers = "ReplayDiffers";
        public const string CampaignFailed = "CampaignFailed";
        public const string CampaignOutputFailed = "CampaignOutputFailed";
        public const string InvalidCampaignResults = "InvalidCampaignResults";
        public const string CampaignMergeRefused = "CampaignMergeRefused";
    }
}
