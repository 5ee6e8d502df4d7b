namespace XenVbd.PowerShell
{
    internal static class ModuleInfo
    {
        internal const string Name = "XenVbd";
    }
}
