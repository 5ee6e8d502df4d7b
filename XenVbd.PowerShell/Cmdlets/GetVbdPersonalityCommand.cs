using System.Collections.Generic;
using System.Management.Automation;
using XenVbd.Device;
using XenVbd.Personality;
using XenVbd.PowerShell.Infrastructure;

namespace XenVbd.PowerShell.Cmdlets
{
    /// <summary>
    /// <para type="synopsis">Lists the driver personalities the model can behave as, and with -Detailed every behaviour with its source.</para>
    /// <para type="description">Full help ships as MAML in XenVbd.PowerShell.dll-Help.xml.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "VbdPersonality")]
    [OutputType(typeof(VbdPersonality), typeof(VbdPersonalityBehaviour))]
    public sealed class GetVbdPersonalityCommand : PSCmdlet
    {
        private const string FrontendKind = "Frontend";

        /// <summary>Personality names; wildcards allowed; all when omitted.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(PersonalityNameCompleter))]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[]? Name { get; set; }

        /// <summary>One object per behaviour (what the driver does and where in its code) instead of one per personality.</summary>
        [Parameter]
        public SwitchParameter Detailed { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            foreach (string pattern in Name ?? new[] { "*" })
            {
                WildcardPattern match;
                try
                {
                    match = WildcardPattern.Get(pattern, WildcardOptions.IgnoreCase);
                }
                catch (WildcardPatternException ex)
                {
                    this.WriteError(ErrorIds.PersonalityNotFound, ErrorCategory.InvalidArgument, pattern,
                        "'" + pattern + "' is not a valid name pattern: " + ex.Message, "Use a personality name such as Gplpv2008b, or a pattern such as Gplpv*.");
                    continue;
                }

                bool found = false;
                foreach (IDriverPersonality p in All())
                {
                    if (!match.IsMatch(p.Name)) continue;
                    found = true;
                    if (!Detailed)
                    {
                        WriteObject(new VbdPersonality(FrontendKind, p));
                        continue;
                    }

                    foreach (DriverBehaviour b in p.Behaviours) WriteObject(new VbdPersonalityBehaviour(p.Name, FrontendKind, b));
                }

                if (!found && !WildcardPattern.ContainsWildcardCharacters(pattern))
                {
                    this.WriteError(ErrorIds.PersonalityNotFound, ErrorCategory.ObjectNotFound, pattern,
                        "There is no personality named '" + pattern + "'.", "Get-VbdPersonality lists them: " + string.Join(", ", Names()) + ".");
                }
            }
        }

        private static IEnumerable<IDriverPersonality> All()
        {
            foreach (var p in DevicePersonalities.Frontends) yield return p;
        }

        internal static IEnumerable<string> Names()
        {
            foreach (var p in All()) yield return p.Name;
        }
    }
}
