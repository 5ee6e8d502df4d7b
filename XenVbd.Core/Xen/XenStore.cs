using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using XenVbd.Sim;

namespace XenVbd.Xen
{
    /// <summary>
    /// XenStore: a tree of string keys and values with watches and transactions. Watch events are
    /// delivered later on the scheduler, as xenstored's are, so handlers see the world as it is
    /// when they run, not when the write happened — the source of the handshake races worth testing.
    /// This is the control plane: it may allocate.
    /// </summary>
    public sealed class XenStore
    {
        // Lookups by hash; subtree walks (remove, directory, dump) by a range of the sorted key set, so
        // they cost the subtree's size, not the whole store's (a host with hundreds of devices).
        private readonly Dictionary<string, Node> _nodes = new Dictionary<string, Node>(StringComparer.Ordinal);
        private readonly SortedSet<string> _keys = new SortedSet<string>(StringComparer.Ordinal);
        private readonly List<Registration> _watches = new List<Registration>();
        private readonly Scheduler _scheduler;
        private long _generation;

        public XenStore(Scheduler scheduler)
        {
            _scheduler = scheduler;
        }

        /// <summary>Virtual time from a write to its watch events.</summary>
        public long WatchLatencyTicks { get; set; } = 20;

        public long Writes { get; private set; }

        public long WatchEventsFired { get; private set; }

        public string? Read(string path)
        {
            CheckPath(path);
            return _nodes.TryGetValue(path, out var node) ? node.Value : null;
        }

        public bool TryReadInt64(string path, out long value)
        {
            value = 0;
            var s = Read(path);
            return s != null && long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
        }

        public long ReadInt64OrDefault(string path, long fallback) => TryReadInt64(path, out var v) ? v : fallback;

        public bool Exists(string path) => _nodes.ContainsKey(path);

        public void Write(string path, string value)
        {
            CheckPath(path);
            if (value == null) throw new ArgumentNullException(nameof(value));
            EnsureParents(path);
            _generation++;
            if (_nodes.TryGetValue(path, out var node))
            {
                node.Value = value;
                node.Generation = _generation;
            }
            else
            {
                Add(path, new Node(value, _generation));
            }
            Writes++;
            Fire(path);
        }

        public void Write(string path, long value) => Write(path, value.ToString(CultureInfo.InvariantCulture));

        /// <summary>Removes a key and everything under it.</summary>
        public void Remove(string path)
        {
            CheckPath(path);
            var doomed = Below(path).ToList();
            if (_nodes.ContainsKey(path)) doomed.Add(path);
            if (doomed.Count == 0) return;
            _generation++;
            foreach (var k in doomed)
            {
                _nodes.Remove(k);
                _keys.Remove(k);
            }
            Fire(path);
        }

        /// <summary>Immediate children's names.</summary>
        public IReadOnlyList<string> Directory(string path)
        {
            CheckPath(path);
            string prefix = path + "/";
            var names = new List<string>();
            foreach (var k in Below(path))
            {
                var rest = k.Substring(prefix.Length);
                if (rest.IndexOf('/') < 0) names.Add(rest);
            }
            return names;
        }

        /// <summary>Every key with a value under <paramref name="path"/> (inclusive), sorted.</summary>
        public IReadOnlyList<KeyValuePair<string, string>> Dump(string path)
        {
            var list = new List<KeyValuePair<string, string>>();
            if (_nodes.TryGetValue(path, out var self)) list.Add(new KeyValuePair<string, string>(path, self.Value));
            foreach (var k in Below(path)) list.Add(new KeyValuePair<string, string>(k, _nodes[k].Value));
            return list;
        }

        /// <summary>Watches a path and everything under it; like xenstored, fires once at registration.</summary>
        public IDisposable Watch(string path, string token, Action<string, string> callback)
        {
            CheckPath(path);
            var w = new Registration(this, path, token, callback);
            _watches.Add(w);
            Deliver(w, path);
            return w;
        }

        public XenStoreTransaction BeginTransaction() => new XenStoreTransaction(this);

        internal long GenerationOf(string path) => _nodes.TryGetValue(path, out var n) ? n.Generation : 0;

        private void Fire(string path)
        {
            foreach (var w in _watches.ToArray())
                if (!w.Disposed && (path == w.Path || path.StartsWith(w.Path + "/", StringComparison.Ordinal) || w.Path.StartsWith(path + "/", StringComparison.Ordinal)))
                    Deliver(w, path);
        }

        private void Deliver(Registration w, string path)
        {
            _scheduler.Post(WatchLatencyTicks, () =>
            {
                if (w.Disposed) return;
                WatchEventsFired++;
                w.Callback(path, w.Token);
            });
        }

        /// <summary>
        /// Every key strictly under <paramref name="path"/>, sorted: from "path/" to "path/\uffff", which
        /// CheckPath keeps out of every key, so the inclusive upper bound names no key.
        /// </summary>
        private SortedSet<string> Below(string path) => _keys.GetViewBetween(path + "/", path + "/\uffff");

        private void Add(string path, Node node)
        {
            _nodes[path] = node;
            _keys.Add(path);
        }

        private void EnsureParents(string path)
        {
            int i = path.IndexOf('/', 1);
            while (i > 0)
            {
                var parent = path.Substring(0, i);
                if (!_nodes.ContainsKey(parent)) Add(parent, new Node(string.Empty, _generation));
                i = path.IndexOf('/', i + 1);
            }
        }

        private static void CheckPath(string path)
        {
            if (string.IsNullOrEmpty(path) || path[0] == '/' && path.Length == 1 || path.EndsWith("/", StringComparison.Ordinal) || path.Contains("//"))
                throw new ArgumentException("'" + path + "' is not a valid XenStore path.", nameof(path));
            foreach (char c in path)
                if (!(char.IsLetterOrDigit(c) || c == '/' || c == '-' || c == '_' || c == '@' || c == '.'))
                    throw new ArgumentException("XenStore path '" + path + "' contains '" + c + "'.", nameof(path));
        }

        private sealed class Node
        {
            public Node(string value, long generation)
            {
                Value = value;
                Generation = generation;
            }

            public string Value;
            public long Generation;
        }

        private sealed class Registration : IDisposable
        {
            private readonly XenStore _store;

            public Registration(XenStore store, string path, string token, Action<string, string> callback)
            {
                _store = store;
                Path = path;
                Token = token;
                Callback = callback;
            }

            public string Path { get; }
            public string Token { get; }
            public Action<string, string> Callback { get; }
            public bool Disposed { get; private set; }

            public void Dispose()
            {
                Disposed = true;
                _store._watches.Remove(this);
            }
        }
    }
}
