using XenVbd.Xen;

namespace XenVbd.PowerShell
{
    /// <summary>One XenStore key of a device, from the frontend's or the backend's directory.</summary>
    public sealed class VbdXenStoreEntry
    {
        internal VbdXenStoreEntry(string deviceName, string side, string path, string value)
        {
            DeviceName = deviceName;
            Side = side;
            Path = path;
            int slash = path.LastIndexOf('/');
            Key = slash >= 0 ? path.Substring(slash + 1) : path;
            Value = value;
            if (Key == "state" && int.TryParse(value, out int state))
            {
                _state = state;
            }
        }

        public string DeviceName { get; }

        /// <summary>Frontend (the domU's device directory) or Backend (dom0's backend directory).</summary>
        public string Side { get; }

        public string Path { get; }

        public string Key { get; }

        public string Value { get; }

        /// <summary>The XenBus state a <c>state</c> key holds, decoded; null for other keys.</summary>
        public XenbusState? State => _state.HasValue ? (XenbusState)_state.Value : (XenbusState?)null;

        // An int, not XenbusState: see XenVbdModuleInitializer (no engine value types in fields).
        private readonly int? _state;

        /// <summary>The value as a person reads it: states get their name ("4 (Connected)").</summary>
        public string Display => State.HasValue ? Value + " (" + State.Value + ")" : Value;

        /// <inheritdoc />
        public override string ToString() => Path + " = " + Display;
    }
}
