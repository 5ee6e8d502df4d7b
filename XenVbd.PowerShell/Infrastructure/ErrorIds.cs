namespace XenVbd.PowerShell.Infrastructure
{
    /// <summary>Stable error ids the cmdlets themselves raise (engine exceptions bring their own ErrorId).</summary>
    public static class ErrorIds
    {
        public const string UnknownAbi = "UnknownBlkifAbi";
    }
}
