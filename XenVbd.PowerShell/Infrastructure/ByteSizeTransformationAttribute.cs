using System;
using System.Globalization;
using System.Management.Automation;

namespace XenVbd.PowerShell.Infrastructure
{
    /// <summary>
    /// Lets a byte count take what PowerShell users write in a CSV cell or a piped property: a number
    /// ("67108864", "0x1000"), or PowerShell's size suffixes ("64MB", "1.5GB", "16 kb": KB, MB, GB, TB,
    /// PB, powers of 1024 as in the language). Anything else ('lots', '-', '12 apples') is refused,
    /// naming the column, instead of leaving the default in place.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class ByteSizeTransformationAttribute : ArgumentTransformationAttribute
    {
        /// <summary>The parameter's name, for the error.</summary>
        public string? Parameter { get; set; }

        /// <inheritdoc />
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            object? value = PipelineValues.Unwrap(inputData);
            if (value is not string text)
            {
                return value;   // numbers bind (and range-check) as usual
            }

            if (TryParse(text, out long bytes))
            {
                return bytes;
            }

            throw PipelineValues.Refuse(PipelineValues.Describe(Parameter), text, "a size in bytes (e.g. 67108864, 64MB, 1GB)");
        }

        /// <summary>Parses a byte count with an optional KB..PB suffix (1024-based, as PowerShell's numeric literals).</summary>
        public static bool TryParse(string text, out long bytes)
        {
            bytes = 0;
            string s = text.Trim();
            if (s.Length == 0)
            {
                return false;
            }

            if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            {
                return long.TryParse(s.Substring(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out bytes) && bytes >= 0;
            }

            long unit = 1;
            string[] suffixes = { "KB", "MB", "GB", "TB", "PB" };
            for (int i = suffixes.Length - 1; i >= 0; i--)
            {
                if (s.EndsWith(suffixes[i], StringComparison.OrdinalIgnoreCase))
                {
                    unit = 1L << (10 * (i + 1));
                    s = s.Substring(0, s.Length - 2).TrimEnd();
                    break;
                }
            }

            if (!decimal.TryParse(s, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out decimal number))
            {
                return false;
            }

            decimal total = number * unit;
            if (total < long.MinValue || total > long.MaxValue || total != decimal.Truncate(total))
            {
                return false;
            }

            bytes = (long)total;
            return true;
        }
    }
}
