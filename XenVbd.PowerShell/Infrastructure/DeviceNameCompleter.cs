using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace XenVbd.PowerShell.Infrastructure
{
    /// <summary>Tab completion of the session's device names for -Name / -Device parameters.</summary>
    public sealed class DeviceNameCompleter : IArgumentCompleter
    {
        /// <inheritdoc />
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string typed = (wordToComplete ?? string.Empty).Trim('\'', '"');
            var pattern = WildcardPattern.Get(typed + "*", WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant);
            foreach (DeviceSession session in DeviceRegistry.Current.All())
            {
                if (!pattern.IsMatch(session.Name))
                {
                    continue;
                }

                string text = NeedsQuotes(session.Name) ? "'" + session.Name.Replace("'", "''") + "'" : session.Name;
                string tip = session.Name + ": " + Describe(session);
                yield return new CompletionResult(text, session.Name, CompletionResultType.ParameterValue, tip);
            }
        }

        private static string Describe(DeviceSession session)
        {
            try
            {
                return session.Device.State + ", " + session.Device.SizeBytes + " bytes, frontend " + session.Device.FrontendAbi + ", backend " + session.Device.BackendAbi + "/" + session.Device.BackendMode;
            }
            catch (Exception)
            {
                return "device";
            }
        }

        private static bool NeedsQuotes(string name)
        {
            foreach (char c in name)
            {
                if (char.IsWhiteSpace(c) || "'\"`$&(){}[];,|<>@#".IndexOf(c) >= 0)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
