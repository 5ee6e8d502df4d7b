using System.Management.Automation;
using XenVbd.Device;
using XenVbd.PowerShell.Infrastructure;

namespace XenVbd.PowerShell.Cmdlets
{
    /// <summary>
    /// <para type="synopsis">Gets the virtual block devices of this session, all or by name (wildcards allowed).</para>
    /// <para type="description">Full help ships as MAML in XenVbd.PowerShell.dll-Help.xml.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "VbdDevice")]
    [OutputType(typeof(VbdDevice))]
    public sealed class GetVbdDeviceCommand : PSCmdlet
    {
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("DeviceName")]
        [ArgumentCompleter(typeof(DeviceNameCompleter))]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public string[]? Name { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            DeviceRegistry registry = DeviceRegistry.Current;
            if (Name is null || Name.Length == 0)
            {
                foreach (DeviceSession session in registry.All())
                {
                    WriteObject(session.Device);
                }

                return;
            }

            foreach (string name in Name)
            {
                if (WildcardPattern.ContainsWildcardCharacters(name))
                {
                    if (NamePatterns.TryGet(name, "Name", out ErrorRecord? patternError) is null)
                    {
                        WriteError(patternError!);
                        continue;
                    }

                    foreach (DeviceSession session in registry.Match(name))
                    {
                        WriteObject(session.Device);
                    }

                    continue;
                }

                DeviceSession? found = registry.Find(name);
                if (found is null)
                {
                    int count = registry.Count;
                    this.WriteError(ErrorIds.DeviceNotFound, ErrorCategory.ObjectNotFound, name,
                        "There is no device named '" + name + "' in this session" + (count == 0 ? " (the session has no devices)." : "."),
                        count == 0 ? "Create one with New-VbdDevice -Name " + name + "." : "Run Get-VbdDevice without -Name to see the device names.");
                    continue;
                }

                WriteObject(found.Device);
            }
        }
    }
}
