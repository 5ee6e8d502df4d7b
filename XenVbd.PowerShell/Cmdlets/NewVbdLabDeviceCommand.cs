using System;
using System.Collections;
using System.Management.Automation;
using System.Text.RegularExpressions;
using XenVbd.Device;
using XenVbd.Lab;

namespace XenVbd.PowerShell.Cmdlets
{
    /// <summary>
    /// <para type="synopsis">Creates the device for one step of a lab: New-VbdDevice with a name and a seed derived from the step, the lab's personality and its -DeviceOptions.</para>
    /// <para type="description">Full help ships as MAML in XenVbd.PowerShell.dll-Help.xml.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.New, "VbdLabDevice", SupportsShouldProcess = true)]
    [OutputType(typeof(VbdDevice))]
    public sealed class NewVbdLabDeviceCommand : PSCmdlet
    {
        private static readonly Regex NotNameCharacters = new Regex("[^A-Za-z0-9]+", RegexOptions.CultureInvariant);

        /// <summary>The lab's result (New-VbdLabResult): its name, seed, personality and device options.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNull]
        public LabResult? Lab { get; set; }

        /// <summary>The step the device is for ("rogue BadId"): it names the device and seeds it, so adding a step leaves the others' seeds alone.</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string Step { get; set; } = "";

        /// <summary>New-VbdDevice parameters for this device on top of the lab's defaults (64 MiB, queue depth 8, 8 MiB of guest buffers); the lab's -DeviceOptions go on top of these.</summary>
        [Parameter(Position = 2)]
        [ValidateNotNull]
        public Hashtable? With { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            LabResult lab = Lab!;
            var parameters = new Hashtable(StringComparer.OrdinalIgnoreCase)
            {
                ["Name"] = NotNameCharacters.Replace(lab.Name + "-" + Step, "-").Trim('-'),
                ["SizeBytes"] = 64L << 20,
                ["Seed"] = lab.SeedFor(Step),
                ["QueueDepth"] = 8,
                ["GuestBufferBytes"] = 8 << 20,
            };
            if (lab.Personality.Length > 0) parameters["Personality"] = lab.Personality;
            foreach (DictionaryEntry e in With ?? new Hashtable()) parameters[e.Key] = e.Value;
            if (lab.DeviceOptions is not null)
            {
                foreach (DictionaryEntry e in lab.DeviceOptions) parameters[e.Key] = e.Value;
            }

            if (!ShouldProcess((string)parameters["Name"]!, "Create the lab device"))
            {
                return;
            }

            // Through New-VbdDevice itself, so every parameter is checked and every error reads as it does there.
            var run = ScriptBlock.Create("param($__parameters) New-VbdDevice @__parameters");
            foreach (PSObject output in InvokeCommand.InvokeScript(false, run, null, parameters))
            {
                WriteObject(output);
            }
        }
    }
}
