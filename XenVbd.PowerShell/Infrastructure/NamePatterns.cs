using System.Management.Automation;

namespace XenVbd.PowerShell.Infrastructure
{
    /// <summary>
    /// Wildcard patterns users type (-Name, -Key): a malformed one ('[' with no closing bracket) is
    /// reported as an InvalidNamePattern error naming the parameter, not as a raw WildcardPatternException
    /// thrown from the middle of a match.
    /// </summary>
    public static class NamePatterns
    {
        /// <summary>The compiled pattern, or null with <paramref name="error"/> saying how to write it.</summary>
        public static WildcardPattern? TryGet(string pattern, string parameterName, out ErrorRecord? error)
        {
            error = null;
            var wildcard = WildcardPattern.Get(pattern, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant);
            try
            {
                wildcard.IsMatch(string.Empty);   // the pattern is parsed on first use
                return wildcard;
            }
            catch (WildcardPatternException ex)
            {
                error = ErrorRecords.Create(ErrorIds.InvalidNamePattern, ErrorCategory.InvalidArgument, pattern,
                    "-" + parameterName + " '" + pattern + "' is not a valid wildcard pattern: " + ex.Message,
                    "Close the bracket ('[ab]'), or escape * ? [ ] with a backtick to mean them literally ('`[').");
                return null;
            }
        }
    }
}
