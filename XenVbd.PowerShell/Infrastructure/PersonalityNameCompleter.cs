using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;
using XenVbd.Device;

namespace XenVbd.PowerShell.Infrastructure
{
    /// <summary>Tab completion of personality names for Get-VbdPersonality -Name, with each one's description as the tip.</summary>
    public sealed class PersonalityNameCompleter : IArgumentCompleter
    {
        /// <inheritdoc />
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string typed = (wordToComplete ?? string.Empty).Trim('\'', '"');
            var pattern = WildcardPattern.Get(typed + "*", WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant);
            foreach (var p in DevicePersonalities.Frontends)
            {
                if (pattern.IsMatch(p.Name)) yield return new CompletionResult(p.Name, p.Name, CompletionResultType.ParameterValue, p.Description);
            }
        }
    }
}
