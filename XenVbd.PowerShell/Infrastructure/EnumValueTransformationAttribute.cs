using System;
using System.Linq;
using System.Management.Automation;

namespace XenVbd.PowerShell.Infrastructure
{
    /// <summary>
    /// An enum parameter fed from a CSV or a piped object: a name (any case) or a defined number binds;
    /// anything else is refused naming the column and the allowed names, instead of being skipped (which
    /// left the default in place, e.g. BackendMode='bogus' became Protocol).
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class EnumValueTransformationAttribute : ArgumentTransformationAttribute
    {
        /// <summary>The enum the parameter takes.</summary>
        public EnumValueTransformationAttribute(Type enumType)
        {
            EnumType = enumType ?? throw new ArgumentNullException(nameof(enumType));
        }

        /// <summary>The enum the parameter takes.</summary>
        public Type EnumType { get; }

        /// <summary>The parameter's name, for the error.</summary>
        public string? Parameter { get; set; }

        /// <inheritdoc />
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            object? value = PipelineValues.Unwrap(inputData);
            if (value is null || EnumType.IsInstanceOfType(value))
            {
                return value;
            }

            string[] names = Enum.GetNames(EnumType);
            if (value is string text)
            {
                string t = text.Trim();
                string? match = names.FirstOrDefault(n => string.Equals(n, t, StringComparison.OrdinalIgnoreCase));
                if (match is not null)
                {
                    return Enum.Parse(EnumType, match);
                }
            }
            else if (value is int || value is long)
            {
                object number = Enum.ToObject(EnumType, Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
                if (Enum.IsDefined(EnumType, number))
                {
                    return number;
                }
            }

            throw PipelineValues.Refuse(PipelineValues.Describe(Parameter), value, "one of " + string.Join(", ", names));
        }
    }
}
