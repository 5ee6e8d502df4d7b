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

        /// <summary>
        /// The frontend personalities that <paramref name="patterns"/> (names or wildcards) name, each once, in the
        /// catalogue's order. A pattern nothing matches is a non-terminating PersonalityNotFound error on
        /// <paramref name="cmdlet"/>, and the others still run (Invoke-VbdLab and Invoke-VbdWorkload share this).
        /// </summary>
        internal static IReadOnlyList<string> Resolve(Cmdlet cmdlet, IEnumerable<string> patterns)
        {
            var chosen = new HashSet<string>(System.StringComparer.Ordinal);
            foreach (string pattern in patterns)
            {
                var match = WildcardPattern.Get(pattern, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant);
                bool any = false;
                foreach (string name in Names())
                {
                    if (!match.IsMatch(name)) continue;
                    any = true;
                    chosen.Add(name);
                }

                if (!any)
                {
                    cmdlet.WriteError(ErrorIds.PersonalityNotFound, ErrorCategory.ObjectNotFound, pattern,
                        "There is no frontend personality named '" + pattern + "'.",
                        "Get-VbdPersonality lists them: " + string.Join(", ", Names()) + "; -Personality * runs every one.");
                }
            }

            var ordered = new List<string>();
            foreach (string name in Names())
            {
                if (chosen.Contains(name)) ordered.Add(name);
            }

            return ordered;
        }
    }
}
