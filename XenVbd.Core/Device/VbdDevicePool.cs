using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text;

namespace XenVbd.Device
{
    /// <summary>
    /// Connected devices kept for reuse by one thread: <see cref="Acquire"/> hands out a device exactly as
    /// <see cref="VbdDevice.Create"/> would return it for those options, building and connecting it (and taking
    /// a <see cref="VbdDeviceSnapshot"/>) the first time a configuration is asked for, and restoring the same
    /// device from its snapshot every later time, under the asked-for seed where the snapshot allows it. The
    /// pool owns its devices: callers never dispose them; the least recently used beyond
    /// <see cref="Capacity"/> are closed. One pool per thread (a device is driven from one thread at a time).
    /// </summary>
    public sealed class VbdDevicePool : IDisposable
    {
        private static readonly PropertyInfo[] KeyProperties = typeof(VbdDeviceOptions).GetProperties(BindingFlags.Instance | BindingFlags.Public)
            .Where(p => p.CanRead && p.CanWrite && p.Name != nameof(VbdDeviceOptions.Seed) && p.Name != nameof(VbdDeviceOptions.BackendInterceptor))
            .OrderBy(p => p.Name, StringComparer.Ordinal).ToArray();

        private readonly Dictionary<string, LinkedListNode<VbdDeviceSnapshot>> _byKey = new Dictionary<string, LinkedListNode<VbdDeviceSnapshot>>();
        private readonly Dictionary<VbdDeviceSnapshot, string> _keys = new Dictionary<VbdDeviceSnapshot, string>();
        private readonly LinkedList<VbdDeviceSnapshot> _recent = new LinkedList<VbdDeviceSnapshot>();
        private readonly List<VbdDevice> _throwaway = new List<VbdDevice>();
        private bool _disposed;

        public VbdDevicePool(int capacity = 16)
        {
            if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "A pool keeps at least one device.");
            Capacity = capacity;
        }

        /// <summary>How many configurations keep a device.</summary>
        public int Capacity { get; }

        /// <summary>Devices built and connected.</summary>
        public long Created { get; private set; }

        /// <summary>Acquisitions served by a restore instead of a build.</summary>
        public long Restored { get; private set; }

        /// <summary>Devices the pool holds now.</summary>
        public int Count => _recent.Count;

        /// <summary>
        /// A connected device for <paramref name="options"/>, indistinguishable from <c>VbdDevice.Create(options)</c>.
        /// Options with a <see cref="VbdDeviceOptions.BackendInterceptor"/> or an image file are not pooled: the
        /// device is built fresh and still belongs to the pool until the next acquisition of that configuration.
        /// </summary>
        public VbdDevice Acquire(VbdDeviceOptions options)
        {
            if (options == null) throw new ArgumentNullException(nameof(options));
            if (_disposed) throw new ObjectDisposedException(nameof(VbdDevicePool));
            TrimThrowaway(0);
            if (options.BackendInterceptor != null || options.ImagePath != null)
            {
                // Not reusable (the interceptor's state and the file are outside what a snapshot restores): built
                // fresh and kept only so that the pool closes it, at the next acquisition or with the pool.
                var single = VbdDevice.Create(options);
                Created++;
                _throwaway.Add(single);
                return single;
            }
            string key = Key(options);
            if (_byKey.TryGetValue(key, out var node))
            {
                var snapshot = node.Value;
                if (snapshot.Seed == options.Seed || snapshot.CanReseed)
                {
                    _recent.Remove(node);
                    _recent.AddFirst(node);
                    snapshot.Restore(options.Seed);
                    Restored++;
                    return snapshot.Device;
                }
                Evict(node);
            }

            var device = VbdDevice.Create(options);
            Created++;
            var taken = VbdDeviceSnapshot.Capture(device);
            _byKey[key] = _recent.AddFirst(taken);
            _keys[taken] = key;
            while (_recent.Count > Capacity) Evict(_recent.Last!);
            return device;
        }

        private void TrimThrowaway(int keep)
        {
            while (_throwaway.Count > keep)
            {
                _throwaway[0].Dispose();
                _throwaway.RemoveAt(0);
            }
        }

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var s in _recent) s.Device.Dispose();
            foreach (var d in _throwaway) d.Dispose();
            _recent.Clear();
            _byKey.Clear();
            _keys.Clear();
            _throwaway.Clear();
        }

        private void Evict(LinkedListNode<VbdDeviceSnapshot> node)
        {
            _recent.Remove(node);
            _byKey.Remove(_keys[node.Value]);
            _keys.Remove(node.Value);
            node.Value.Device.Dispose();
        }

        /// <summary>Every setting but the seed (a snapshot can take another seed) and the interceptor (never pooled).</summary>
        private static string Key(VbdDeviceOptions options)
        {
            var sb = new StringBuilder();
            foreach (var p in KeyProperties)
            {
                object? v = p.GetValue(options);
                sb.Append(p.Name).Append('=');
                sb.Append(v is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : v?.ToString());
                sb.Append(';');
            }
            return sb.ToString();
        }
    }
}
