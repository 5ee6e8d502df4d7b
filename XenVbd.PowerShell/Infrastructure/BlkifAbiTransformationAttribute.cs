using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using XenVbd.Device;
using XenVbd.Ring;

namespace XenVbd.PowerShell.Infrastructure
{
    /// <summary>
    /// Lets an ABI parameter take what people type and what XenStore holds: the enum names
    /// (X86_32, x86_64), the protocol strings (x86_32-abi, x86_64-abi), and the bitness 32 / 64.
    /// With <see cref="Strict"/>, any other string is refused naming the parameter: pipeline binding by
    /// property name quietly skips a value it cannot convert (a CSV column 'bogus' left the default in
    /// place), but not one a transformation refuses. Without it, anything else passes through so normal
    /// binding reports it (CannotConvertArgumentNoMessage, as Get-BlkifLayout and Set-BackendAbi do).
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class BlkifAbiTransformationAttribute : ArgumentTransformationAttribute
    {
        /// <summary>The parameter's name, for the error.</summary>
        public string? Parameter { get; set; }

        /// <summary>Refuse an unknown string here instead of passing it on (for parameters fed from CSV or objects).</summary>
        public bool Strict { get; set; }

        /// <inheritdoc />
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            object? value = inputData is PSObject pso ? pso.BaseObject : inputData;
            if (value is string || value is not IEnumerable sequence)
            {
                return TransformOne(value, Parameter, Strict);
            }

            var list = new List<object?>();
            foreach (object? item in sequence)
            {
                list.Add(TransformOne(item is PSObject p ? p.BaseObject : item, Parameter, Strict));
            }

            return list.ToArray();
        }

        private static bool IsNumber(string text) => long.TryParse(text.Trim(), out _);

        private static object? TransformOne(object? value, string? parameter, bool strict)
        {
            switch (value)
            {
                case string text when BlkifWire.TryParseProtocol(text.Trim().ToLowerInvariant(), out BlkifAbi abi):
                    return abi;
                case string text when text.Trim() == "32":
                    return BlkifAbi.X86_32;
                case string text when text.Trim() == "64":
                    return BlkifAbi.X86_64;
                case string text when Enum.TryParse(text.Trim(), ignoreCase: true, out BlkifAbi named) && Enum.IsDefined(typeof(BlkifAbi), named) && !IsNumber(text):
                    return named;
                case string text when strict:
                    throw PipelineValues.Refuse(parameter is null ? "this ABI parameter" : PipelineValues.Describe(parameter), text, "an ABI (X86_32, X86_64, x86_32-abi, x86_64-abi, 32 or 64)");
                case int bits when bits == 32 || bits == 64:
                    return (BlkifAbi)bits;
                default:
                    return value;
            }
        }
    }
}
