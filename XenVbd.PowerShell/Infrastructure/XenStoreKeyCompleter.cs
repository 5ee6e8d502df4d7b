using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace XenVbd.PowerShell.Infrastructure
{
    /// <summary>
    /// Tab completion of Get-VbdXenStore -Key: the key names the named device (or every device of the session)
    /// has in its frontend and backend directories, instead of PowerShell's default of file names.
    /// </summary>
    public sealed class XenStoreKeyCompleter : IArgumentCompleter
    {
        /// <inheritdoc />
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string typed = (wordToComplete ?? string.Empty).Trim('\'', '"');
            var pattern = WildcardPattern.Get(typed + "*", WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant);
            string? name = fakeBoundParameters?["Name"] switch
            {
                string s => s,
                object[] a when a.Length > 0 => a[0]?.ToString(),
                _ => null,
            };
            var keys = new SortedSet<string>(StringComparer.Ordinal);
            foreach (DeviceSession session in DeviceRegistry.Current.All())
            {
                if (name != null && !string.Equals(session.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                try
                {
                    string[] dirs = { session.Device.FrontendPath + "/", session.Device.BackendPath + "/" };
                    foreach (KeyValuePair<string, string> pair in session.Device.XenStoreKeys)
                    {
                        string? dir = dirs.FirstOrDefault(d => pair.Key.StartsWith(d, StringComparison.Ordinal));
                        if (dir != null) keys.Add(pair.Key.Substring(dir.Length));
                    }
                }
                catch (Exception ex) when (ex is ObjectDisposedException || ex is InvalidOperationException)
                {
                    // A device closing while the user types: nothing to offer from it.
                }
            }

            foreach (string key in keys.Where(k => pattern.IsMatch(k)))
            {
                yield return new CompletionResult(key, key, CompletionResultType.ParameterValue, key);
            }
        }
    }
}
