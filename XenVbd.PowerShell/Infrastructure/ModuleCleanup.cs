using System.Management.Automation;

namespace XenVbd.PowerShell.Infrastructure
{
    /// <summary>Runs on Remove-Module: closes the session's devices so their image files are unlocked.</summary>
    public sealed class XenVbdModuleCleanup : IModuleAssemblyCleanup
    {
        /// <inheritdoc />
        public void OnRemove(PSModuleInfo psModuleInfo) => DeviceRegistry.Current.Clear();
    }
}
