using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using XenVbd.Ring;

namespace XenVbd.PowerShell.Infrastructure
{
    /// <summary>
    /// Lets an ABI parameter take what people type and what XenStore holds: the enum names
    /// (X86_32, x86_64), the protocol strings (x86_32-abi, x86_64-abi), and the bitness 32 / 64.
    /// Anything else passes through unchanged so normal binding reports the error.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class BlkifAbiTransformationAttribute : ArgumentTransformationAttribute
    {
        /// <inheritdoc />
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            object? value = inputData is PSObject pso ? pso.BaseObject : inputData;
            if (value is string || value is not IEnumerable sequence)
            {
                return TransformOne(value);
            }

            var list = new List<object?>();
            foreach (object? item in sequence)
            {
                list.Add(TransformOne(item is PSObject p ? p.BaseObject : item));
            }

            return list.ToArray();
        }

        private static object? TransformOne(object? value)
        {
            switch (value)
            {
                case string text when BlkifAbiNames.TryParseProtocol(text.Trim().ToLowerInvariant(), out BlkifAbi abi):
                    return abi;
                case string text when text.Trim() == "32":
                    return BlkifAbi.X86_32;
                case string text when text.Trim() == "64":
                    return BlkifAbi.X86_64;
                case int bits when bits == 32 || bits == 64:
                    return (BlkifAbi)bits;
                default:
                    return value;
            }
        }
    }
}
