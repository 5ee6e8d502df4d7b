using System.Management.Automation;
using XenVbd.Lab;

namespace XenVbd.PowerShell.Cmdlets
{
    /// <summary>
    /// <para type="synopsis">Starts the result of a lab script: its name and seed, then its checks, findings, metrics, workloads and plot points.</para>
    /// <para type="description">Full help ships as MAML in XenVbd.PowerShell.dll-Help.xml.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.New, "VbdLabResult")]
    [OutputType(typeof(LabResult))]
    public sealed class NewVbdLabResultCommand : PSCmdlet
    {
        /// <summary>The lab's name: the one Invoke-VbdLab -Name takes (its script's file name without the number prefix).</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; } = "";

        /// <summary>The seed the lab runs from.</summary>
        [Parameter(Mandatory = true, Position = 1)]
        public ulong Seed { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord() => WriteObject(new LabResult(Name, Seed));
    }
}
