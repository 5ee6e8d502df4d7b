using System;
using System.Collections;
using System.Management.Automation;
using XenVbd.Device;
using XenVbd.Frontend;
using XenVbd.Lab;
using XenVbd.PowerShell.Infrastructure;

namespace XenVbd.PowerShell.Cmdlets
{
    /// <summary>
    /// <para type="synopsis">Starts the result of a lab script: its name, seed and frontend personality, then its expected outcomes, checks, findings, metrics, workloads and plot points.</para>
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

        /// <summary>
        /// The frontend personality the lab's devices run; empty or omitted for the module's default. A string, so a
        /// lab script can pass its own -Personality on whether it was given or not.
        /// </summary>
        [Parameter]
        [AllowNull]
        [AllowEmptyString]
        [ArgumentCompleter(typeof(PersonalityNameCompleter))]
        public string? Personality { get; set; }

        /// <summary>New-VbdDevice parameters every device New-VbdLabDevice makes for this lab gets (the script's -DeviceOptions).</summary>
        [Parameter]
        [AllowNull]
        public Hashtable? DeviceOptions { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            string? named = string.IsNullOrWhiteSpace(Personality) ? null : Personality;
            // -DeviceOptions @{ Personality = ... } is how a personality reached the labs before -Personality: still taken, never both.
            object? inOptions = DeviceOptions?.ContainsKey(nameof(Personality)) == true ? DeviceOptions[nameof(Personality)] : null;
            string? fromOptions = inOptions is null ? null : LanguagePrimitives.ConvertTo<string>(inOptions);
            if (named is not null && fromOptions is not null && !string.Equals(named, fromOptions, StringComparison.OrdinalIgnoreCase))
            {
                ThrowTerminatingError(ErrorRecords.Create(ErrorIds.InvalidDeviceOptions, ErrorCategory.InvalidArgument, DeviceOptions,
                    "The lab is asked to run under -Personality " + named + " and, through -DeviceOptions, under " + fromOptions + ".",
                    "Give the personality once: -Personality " + named + " and no Personality key in -DeviceOptions."));
                return;
            }

            string? asked = named ?? fromOptions;
            FrontendPersonality personality = DevicePersonalities.Default;
            if (asked is not null && !Enum.TryParse(asked, true, out personality) || !Enum.IsDefined(typeof(FrontendPersonality), personality))
            {
                ThrowTerminatingError(ErrorRecords.Create(ErrorIds.PersonalityNotFound, ErrorCategory.ObjectNotFound, asked,
                    "There is no frontend personality named '" + asked + "'.",
                    "Get-VbdPersonality lists them: " + string.Join(", ", GetVbdPersonalityCommand.Names()) + "."));
                return;
            }

            var options = DeviceOptions is null ? null : new Hashtable(DeviceOptions, StringComparer.OrdinalIgnoreCase);
            options?.Remove(nameof(Personality));
            WriteObject(new LabResult(Name, Seed, personality.ToString(), DevicePersonalities.For(personality).Behaviours) { DeviceOptions = options });
        }
    }
}
