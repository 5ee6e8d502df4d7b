using System;
using System.Collections.Generic;

namespace XenVbd.Faults
{
    /// <summary>
    /// The live fault table. Like <c>dmsetup reload</c>, rules can be added and removed while a workload
    /// runs; the injector notices the new <see cref="Version"/> at its next decision and rebuilds its
    /// pipeline, so a change takes effect at a well-defined point of virtual time and replays the same.
    /// </summary>
    public sealed class FaultPlan
    {
        private readonly object _sync = new object();
        private readonly List<FaultRule> _rules = new List<FaultRule>();
        private int _nextId = 1;
        private int _version;

        /// <summary>Incremented on every change; readers compare it instead of subscribing across threads.</summary>
        public int Version
        {
            get { lock (_sync) return _version; }
        }

        public int Count
        {
            get { lock (_sync) return _rules.Count; }
        }

        /// <summary>Validates and installs a rule; returns its id.</summary>
        public int Add(FaultRule rule)
        {
            if (rule == null) throw new ArgumentNullException(nameof(rule));
            rule.Validate();
            lock (_sync)
            {
                if (rule.IsInstalled) throw new InvalidOperationException($"Fault rule #{rule.Id} is already installed in a plan.");
                rule.Id = _nextId++;
                rule.IsInstalled = true;
                _rules.Add(rule);
                _version++;
                return rule.Id;
            }
        }

        public bool Remove(int id)
        {
            lock (_sync)
            {
                for (int i = 0; i < _rules.Count; i++)
                {
                    if (_rules[i].Id != id) continue;
                    _rules[i].IsInstalled = false;
                    _rules.RemoveAt(i);
                    _version++;
                    return true;
                }
                return false;
            }
        }

        /// <summary>Removes every rule; ids keep counting up so an old id never names a new rule.</summary>
        public void Clear()
        {
            lock (_sync)
            {
                foreach (var r in _rules) r.IsInstalled = false;
                _rules.Clear();
                _version++;
            }
        }

        public FaultRule? Find(int id)
        {
            lock (_sync)
            {
                foreach (var r in _rules) if (r.Id == id) return r;
                return null;
            }
        }

        /// <summary>The rules in installation order, as a copy the caller may keep.</summary>
        public IReadOnlyList<FaultRule> Rules
        {
            get { lock (_sync) return _rules.ToArray(); }
        }

        /// <summary>Rules and version read together, so a rebuild never mixes two table generations.</summary>
        internal FaultRule[] Snapshot(out int version)
        {
            lock (_sync)
            {
                version = _version;
                return _rules.ToArray();
            }
        }
    }
}
