using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using XenVbd.Device;

namespace XenVbd.PowerShell.Infrastructure
{
    /// <summary>
    /// The devices of one PowerShell session (runspace), by name (case-insensitive, as PowerShell names are).
    /// New-VbdDevice adds, Remove-VbdDevice removes and disposes, every other cmdlet looks devices up here.
    /// One registry per runspace, so two runspaces in one process (jobs, xunit hosts) never see each
    /// other's devices; removing the module disposes the session's devices.
    /// </summary>
    public sealed class DeviceRegistry
    {
        private static readonly ConditionalWeakTable<Runspace, DeviceRegistry> PerRunspace = new ConditionalWeakTable<Runspace, DeviceRegistry>();
        private static readonly DeviceRegistry NoRunspace = new DeviceRegistry();

        private readonly object _gate = new object();
        private readonly Dictionary<string, DeviceSession> _devices = new Dictionary<string, DeviceSession>(StringComparer.OrdinalIgnoreCase);

        /// <summary>The registry of the runspace running on this thread.</summary>
        public static DeviceRegistry Current
        {
            get
            {
                Runspace? runspace = Runspace.DefaultRunspace;
                return runspace is null ? NoRunspace : PerRunspace.GetValue(runspace, SessionEnd.Track);
            }
        }

        /// <summary>Which session this is, for messages ("runspace 3").</summary>
        public string Description { get; internal set; } = "no runspace";

        /// <summary>Number of devices in this session.</summary>
        public int Count
        {
            get
            {
                lock (_gate)
                {
                    return _devices.Count;
                }
            }
        }

        /// <summary>Every device session, in name order.</summary>
        public IReadOnlyList<DeviceSession> All()
        {
            lock (_gate)
            {
                return _devices.Values.OrderBy(s => s.Name, StringComparer.OrdinalIgnoreCase).ToArray();
            }
        }

        /// <summary>Sessions whose name matches a wildcard pattern (a plain name matches itself only).</summary>
        public IReadOnlyList<DeviceSession> Match(string pattern)
        {
            var wildcard = WildcardPattern.Get(pattern, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant);
            lock (_gate)
            {
                return _devices.Values.Where(s => wildcard.IsMatch(s.Name)).OrderBy(s => s.Name, StringComparer.OrdinalIgnoreCase).ToArray();
            }
        }

        /// <summary>True when a device has this exact name.</summary>
        public bool Contains(string name)
        {
            lock (_gate)
            {
                return _devices.ContainsKey(name);
            }
        }

        /// <summary>The session of the device called <paramref name="name"/>, or null.</summary>
        public DeviceSession? Find(string name)
        {
            lock (_gate)
            {
                return _devices.TryGetValue(name, out DeviceSession? session) ? session : null;
            }
        }

        /// <summary>The session that holds <paramref name="device"/>, or null when it is not (or no longer) registered.</summary>
        public DeviceSession? Find(VbdDevice device)
        {
            lock (_gate)
            {
                return _devices.Values.FirstOrDefault(s => ReferenceEquals(s.Device, device));
            }
        }

        /// <summary>Adds a device; false when the name is taken (the caller keeps ownership then).</summary>
        public bool TryAdd(string name, VbdDevice device, out DeviceSession session)
        {
            lock (_gate)
            {
                if (_devices.TryGetValue(name, out DeviceSession? existing))
                {
                    session = existing;
                    return false;
                }

                session = new DeviceSession(name, device);
                _devices.Add(name, session);
                return true;
            }
        }

        /// <summary>Removes the session from the registry (the caller disposes the device).</summary>
        public bool Remove(DeviceSession session)
        {
            lock (_gate)
            {
                return _devices.TryGetValue(session.Name, out DeviceSession? existing)
                    && ReferenceEquals(existing, session)
                    && _devices.Remove(session.Name);
            }
        }

        /// <summary>Removes and disposes every device (module removal).</summary>
        public void Clear()
        {
            DeviceSession[] sessions;
            lock (_gate)
            {
                sessions = _devices.Values.ToArray();
                _devices.Clear();
            }

            foreach (DeviceSession session in sessions)
            {
                try
                {
                    session.Device.Dispose();
                }
                catch (Exception)
                {
                    // A device that fails to close must not stop the others from closing.
                }
            }
        }
    }

    /// <summary>A device and what this session did to it through the cmdlets (for Test-VbdIntegrity).</summary>
    public sealed class DeviceSession
    {
        private readonly Dictionary<long, ulong> _written = new Dictionary<long, ulong>();

        internal DeviceSession(string name, VbdDevice device)
        {
            Name = name;
            Device = device;
        }

        public string Name { get; }

        public VbdDevice Device { get; }

        private XenVbd.Faults.DeviceFaultSession? _faults;

        /// <summary>The device's fault plan and injector, attached the first time a fault is added.</summary>
        public XenVbd.Faults.DeviceFaultSession Faults => _faults ??= XenVbd.Faults.DeviceFaultSession.Attach(Device);

        /// <summary>True once a fault session is attached.</summary>
        public bool HasFaults => _faults is not null;

        /// <summary>Logical blocks written through Invoke-Srb, with a hash of what was written.</summary>
        public int TrackedBlocks
        {
            get
            {
                lock (_written)
                {
                    return _written.Count;
                }
            }
        }

        /// <summary>Remembers what a successful write put at <paramref name="lba"/> (one hash per logical block).</summary>
        public void RecordWrite(long lba, byte[] data, int blockSize)
        {
            lock (_written)
            {
                for (int offset = 0, i = 0; offset + blockSize <= data.Length; offset += blockSize, i++)
                {
                    _written[lba + i] = Fnv1a(data, offset, blockSize);
                }
            }
        }

        /// <summary>Forgets blocks whose content is no longer defined (UNMAP, a resize below them).</summary>
        public void Forget(long lba, long count)
        {
            lock (_written)
            {
                if (count > _written.Count)
                {
                    foreach (long key in _written.Keys.Where(k => k >= lba && k < lba + count).ToArray())
                    {
                        _written.Remove(key);
                    }

                    return;
                }

                for (long i = 0; i < count; i++)
                {
                    _written.Remove(lba + i);
                }
            }
        }

        /// <summary>Forgets everything (the device lost its content).</summary>
        public void ForgetAll()
        {
            lock (_written)
            {
                _written.Clear();
            }
        }

        /// <summary>The tracked blocks, in LBA order.</summary>
        public IReadOnlyList<KeyValuePair<long, ulong>> WrittenBlocks()
        {
            lock (_written)
            {
                return _written.OrderBy(p => p.Key).ToArray();
            }
        }

        /// <summary>64-bit FNV-1a of a block: enough to tell a lost, torn or misdirected write from the right one.</summary>
        public static ulong Fnv1a(byte[] data, int offset, int count)
        {
            ulong hash = 14695981039346656037UL;
            for (int i = offset; i < offset + count; i++)
            {
                hash ^= data[i];
                hash *= 1099511628211UL;
            }

            return hash;
        }
    }
}
