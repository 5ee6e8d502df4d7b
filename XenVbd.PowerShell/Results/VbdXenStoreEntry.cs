using XenVbd.Xen;

namespace XenVbd.PowerShell
{
    /// <summary>One XenStore key of a device, from the frontend's or the backend's directory.</summary>
    public sealed class VbdXenStoreEntry
    {
        internal VbdXenStoreEntry(string deviceName, string side, string directory, XenbusState sideState, string path, string value)
        {
            _sideState = (int)sideState;
            DeviceName = deviceName;
            Side = side;
            Directory = directory;
            Path = path;
            Key = path.StartsWith(directory + "/", System.StringComparison.Ordinal) ? path.Substring(directory.Length + 1) : path;
            Value = value;
            if (Key == XenVbd.Xen.BlkifKeys.State && int.TryParse(value, out int state))
            {
                _state = state;
            }
        }

        public string DeviceName { get; }

        /// <summary>Frontend (the domU's device directory) or Backend (dom0's backend directory).</summary>
        public string Side { get; }

        /// <summary>The half's device directory (e.g. /local/domain/1/device/vbd/51712).</summary>
        public string Directory { get; }

        public string Path { get; }

        /// <summary>The XenBus state of this entry's half (frontend or backend), as its state key says.</summary>
        public XenbusState SideState => (XenbusState)_sideState;

        private readonly int _sideState;

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
