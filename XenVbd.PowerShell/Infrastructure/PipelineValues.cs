using System;
using System.Globalization;
using System.Management.Automation;

namespace XenVbd.PowerShell.Infrastructure
{
    /// <summary>
    /// What the argument transformations share: CSV cells and piped objects carry strings ('true',
    /// '64MB'), and a value that cannot mean what the parameter takes is refused with an
    /// ArgumentTransformationMetadataException naming the parameter — the column — and the value, never
    /// turned into the default.
    /// </summary>
    internal static class PipelineValues
    {
        public static object? Unwrap(object? value) => value is PSObject pso ? pso.BaseObject : value;

        public static ArgumentTransformationMetadataException Refuse(string parameter, object? value, string expected)
            => new ArgumentTransformationMetadataException(
                "The value '" + Convert.ToString(value, CultureInfo.InvariantCulture) + "' for " + parameter + " is not " + expected + "; it was refused rather than replaced by the default.");

        /// <summary>The parameter the attribute sits on, for the message ("-ReadOnly (column ReadOnly)").</summary>
        public static string Describe(string? name) => name is null ? "this parameter" : "-" + name + " (a column or property named " + name + ")";
    }
}
