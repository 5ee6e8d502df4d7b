using System;
using System.Collections.Generic;

namespace XenVbd.Xen
{
    /// <summary>
    /// A XenStore transaction: reads see the store plus this transaction's own writes; commit
    /// applies the writes atomically, or fails (EAGAIN) if anything read was changed meanwhile —
    /// callers retry, as blkfront's talk_to_blkback does.
    /// </summary>
    public sealed class XenStoreTransaction
    {
        private readonly XenStore _store;
        private readonly Dictionary<string, long> _readSet = new Dictionary<string, long>(StringComparer.Ordinal);
        private readonly List<KeyValuePair<string, string>> _writes = new List<KeyValuePair<string, string>>();
        private bool _done;

        internal XenStoreTransaction(XenStore store) => _store = store;

        public string? Read(string path)
        {
            CheckOpen();
            for (int i = _writes.Count - 1; i >= 0; i--)
                if (_writes[i].Key == path) return _writes[i].Value;
            if (!_readSet.ContainsKey(path)) _readSet[path] = _store.GenerationOf(path);
            return _store.Read(path);
        }

        public void Write(string path, string value)
        {
            CheckOpen();
            _writes.Add(new KeyValuePair<string, string>(path, value));
        }

        public void Write(string path, long value) => Write(path, value.ToString(System.Globalization.CultureInfo.InvariantCulture));

        /// <summary>True when applied; false when a read key changed since it was read (EAGAIN: retry the whole transaction).</summary>
        public bool Commit()
        {
            CheckOpen();
            _done = true;
            foreach (var kv in _readSet)
                if (_store.GenerationOf(kv.Key) != kv.Value) return false;
            foreach (var w in _writes) _store.Write(w.Key, w.Value);
            return true;
        }

        public void Abort() => _done = true;

        private void CheckOpen()
        {
            if (_done) throw new InvalidOperationException("The XenStore transaction has already ended.");
        }
    }
}
