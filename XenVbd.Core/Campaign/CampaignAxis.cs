using System;
using System.Collections.Generic;
using System.Globalization;
using XenVbd.Device;

namespace XenVbd.Campaign
{
    /// <summary>
    /// One dimension of a campaign matrix that is a device option: a name, the values it may take (by name,
    /// as a user types them in a data file) and how a value lands on <see cref="VbdDeviceOptions"/>. The first
    /// value is the default: the one the shrinker moves a setting towards, and the one a case that does not
    /// name the axis runs with.
    /// </summary>
    public sealed class CampaignAxis
    {
        private readonly Action<VbdDeviceOptions, string> _apply;
        private readonly string[] _values;

        public CampaignAxis(string name, IEnumerable<string> values, Action<VbdDeviceOptions, string> apply, string description)
        {
            if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("An axis needs a name.", nameof(name));
            Name = name;
            _values = new List<string>(values ?? throw new ArgumentNullException(nameof(values))).ToArray();
            if (_values.Length == 0) throw new ArgumentException("Axis " + name + " needs at least one value.", nameof(values));
            _apply = apply ?? throw new ArgumentNullException(nameof(apply));
            Description = description ?? "";
        }

        public string Name { get; }

        /// <summary>Every value the axis knows, default first.</summary>
        public IReadOnlyList<string> Values => _values;

        public string Default => _values[0];

        public string Description { get; }

        /// <summary>The axis value as the axis spells it, or an exception that lists what it accepts.</summary>
        public string Canonical(string value)
        {
            foreach (var v in _values)
                if (string.Equals(v, value, StringComparison.OrdinalIgnoreCase)) return v;
            throw new ArgumentException("Axis " + Name + " has no value '" + value + "'; it takes " + string.Join(", ", _values) + ".", Name);
        }

        public void Apply(VbdDeviceOptions options, string value) => _apply(options, Canonical(value));

        /// <summary>An axis over every value of an enum, default first (the enum's value on a fresh <see cref="VbdDeviceOptions"/>).</summary>
        public static CampaignAxis ForEnum<T>(string name, T defaultValue, Action<VbdDeviceOptions, T> set, string description) where T : struct, Enum
        {
            var values = new List<string> { defaultValue.ToString() };
            foreach (T v in (T[])Enum.GetValues(typeof(T)))
                if (!values.Contains(v.ToString())) values.Add(v.ToString());
            return new CampaignAxis(name, values, (o, s) => set(o, (T)Enum.Parse(typeof(T), s)), description);
        }

        /// <summary>An axis over a list of integers, default first.</summary>
        public static CampaignAxis ForIntegers(string name, IEnumerable<int> values, Action<VbdDeviceOptions, int> set, string description)
        {
            var names = new List<string>();
            foreach (var v in values) names.Add(v.ToString(CultureInfo.InvariantCulture));
            return new CampaignAxis(name, names, (o, s) => set(o, int.Parse(s, CultureInfo.InvariantCulture)), description);
        }

        /// <summary>An on/off axis, off first.</summary>
        public static CampaignAxis ForSwitch(string name, Action<VbdDeviceOptions, bool> set, string description)
            => new CampaignAxis(name, new[] { "Off", "On" }, (o, s) => set(o, s == "On"), description);

        public override string ToString() => Name + " (" + string.Join(", ", _values) + ")";
    }
}
