using System.Collections.Generic;
using System.Diagnostics;
#if !NET
using System.Text;
#endif

namespace XenVbd.Device
{
    /// <summary>Puts an argument list on a <see cref="ProcessStartInfo"/> on both targets (netstandard2.0 has no ArgumentList).</summary>
    internal static class ProcessArguments
    {
        public static void Set(ProcessStartInfo start, IEnumerable<string> arguments)
        {
#if NET
            foreach (string a in arguments) start.ArgumentList.Add(a);
#else
            var sb = new StringBuilder();
            foreach (string a in arguments)
            {
                if (sb.Length > 0) sb.Append(' ');
                // .NET's Unix argument parser: double quotes group, a backslash escapes a quote or a backslash.
                sb.Append('"').Append(a.Replace("\\", "\\\\").Replace("\"", "\\\"")).Append('"');
            }

            start.Arguments = sb.ToString();
#endif
        }
    }
}
