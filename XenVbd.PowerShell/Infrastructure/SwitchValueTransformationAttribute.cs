using System;
using System.Management.Automation;

namespace XenVbd.PowerShell.Infrastructure
{
    /// <summary>
    /// Lets a switch take what a CSV or a piped object holds: true/false, yes/no, on/off, 1/0, $true/$false
    /// (any case), an empty cell (false), booleans and numbers 0/1. Import-Csv of a golden image marked
    /// ReadOnly=true used to bind False without a word (PowerShell refuses strings for a switch and
    /// quietly skips a property it cannot bind); now anything else is refused, naming the column.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class SwitchValueTransformationAttribute : ArgumentTransformationAttribute
    {
        /// <summary>The parameter's name, for the error.</summary>
        public string? Parameter { get; set; }

        /// <inheritdoc />
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            object? value = PipelineValues.Unwrap(inputData);
            switch (value)
            {
                case null:
                    return new SwitchParameter(false);
                case SwitchParameter:
                    return value;
                case bool b:
                    return new SwitchParameter(b);
                case int i when i == 0 || i == 1:
                    return new SwitchParameter(i == 1);
                case long l when l == 0 || l == 1:
                    return new SwitchParameter(l == 1);
                case string s:
                    switch (s.Trim().ToLowerInvariant())
                    {
                        case "true" or "$true" or "yes" or "y" or "on" or "1":
                            return new SwitchParameter(true);
                        case "false" or "$false" or "no" or "n" or "off" or "0" or "":
                            return new SwitchParameter(false);
                    }

                    break;
            }

            throw PipelineValues.Refuse(PipelineValues.Describe(Parameter), value, "a switch value (true/false, yes/no, on/off, 1/0)");
        }
    }
}
