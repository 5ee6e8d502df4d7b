using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace XenVbd.Campaign
{
    /// <summary>
    /// A campaign: device axes (each with the values to sweep), named fault plans, named workloads, seeds and a
    /// device count per case. The cases are the cartesian product, numbered in one fixed order: axes in the
    /// axis set's order, each axis's values as listed, then fault plans and workloads by name (ordinal), and the
    /// seed fastest. That order does not depend on how the data file spelled its tables (a PowerShell data file's
    /// hashtables have none), so the same matrix always numbers its cases the same way.
    /// </summary>
    public sealed class CampaignMatrix
    {
        public const string NoFaults = "none";
        public const string DefaultWorkloadName = "default";

        private readonly List<KeyValuePair<CampaignAxis, string[]>> _axes = new List<KeyValuePair<CampaignAxis, string[]>>();
        private readonly SortedDictionary<string, CampaignFaultRule[]> _plans = new SortedDictionary<string, CampaignFaultRule[]>(StringComparer.Ordinal);
        private readonly SortedDictionary<string, CampaignWorkload> _workloads = new SortedDictionary<string, CampaignWorkload>(StringComparer.Ordinal);
        private ulong[] _seeds = { 1 };

        public CampaignMatrix(CampaignAxisSet? axes = null)
        {
            AxisSet = axes ?? CampaignAxisSet.Default;
        }

        public string Name { get; set; } = "campaign";

        public CampaignAxisSet AxisSet { get; }

        /// <summary>Devices per case (the shrinker lowers it).</summary>
        public int Devices { get; set; } = 1;

        public IReadOnlyList<ulong> Seeds => _seeds;

        /// <summary>Sets the values one axis sweeps; replaces an earlier call for the same axis.</summary>
        public CampaignMatrix Sweep(string axis, params string[] values)
        {
            var a = AxisSet.Get(axis);
            if (values == null || values.Length == 0) throw new ArgumentException("Axis " + a.Name + " needs at least one value to sweep.", nameof(values));
            var canonical = new List<string>();
            foreach (var v in values)
            {
                string c = a.Canonical(v);
                if (canonical.Contains(c)) throw new ArgumentException("Axis " + a.Name + " lists " + c + " twice.", nameof(values));
                canonical.Add(c);
            }
            _axes.RemoveAll(x => x.Key == a);
            _axes.Add(new KeyValuePair<CampaignAxis, string[]>(a, canonical.ToArray()));
            _axes.Sort((x, y) => AxisSet.IndexOf(x.Key.Name).CompareTo(AxisSet.IndexOf(y.Key.Name)));
            return this;
        }

        public CampaignMatrix AddFaultPlan(string name, params CampaignFaultRule[] rules)
        {
            if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("A fault plan needs a name.", nameof(name));
            if (_plans.ContainsKey(name)) throw new ArgumentException("Fault plan '" + name + "' is defined twice.", nameof(name));
            foreach (var r in rules) r.ToRule();
            _plans.Add(name, rules);
            return this;
        }

        public CampaignMatrix AddWorkload(string name, CampaignWorkload workload)
        {
            if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("A workload needs a name.", nameof(name));
            if (_workloads.ContainsKey(name)) throw new ArgumentException("Workload '" + name + "' is defined twice.", nameof(name));
            workload.ToSpec(name, 1);
            _workloads.Add(name, workload ?? throw new ArgumentNullException(nameof(workload)));
            return this;
        }

        public CampaignMatrix WithSeeds(IEnumerable<ulong> seeds)
        {
            var list = new List<ulong>(seeds);
            if (list.Count == 0) throw new ArgumentException("A campaign needs at least one seed.", nameof(seeds));
            if (new HashSet<ulong>(list).Count != list.Count) throw new ArgumentException("A seed is listed twice.", nameof(seeds));
            _seeds = list.ToArray();
            return this;
        }

        public IReadOnlyList<KeyValuePair<CampaignAxis, string[]>> Axes => _axes;

        private SortedDictionary<string, CampaignFaultRule[]> Plans
        {
            get
            {
                if (_plans.Count > 0) return _plans;
                return new SortedDictionary<string, CampaignFaultRule[]>(StringComparer.Ordinal) { { NoFaults, Array.Empty<CampaignFaultRule>() } };
            }
        }

        private SortedDictionary<string, CampaignWorkload> Workloads
        {
            get
            {
                if (_workloads.Count > 0) return _workloads;
                return new SortedDictionary<string, CampaignWorkload>(StringComparer.Ordinal) { { DefaultWorkloadName, new CampaignWorkload() } };
            }
        }

        /// <summary>Number of cases: the product of every dimension's size.</summary>
        public long Count
        {
            get
            {
                long n = checked(Plans.Count * (long)Workloads.Count * _seeds.Length);
                foreach (var a in _axes) n = checked(n * a.Value.Length);
                return n;
            }
        }

        /// <summary>The case at a position of the enumeration (mixed radix, seed fastest).</summary>
        public CampaignCase CaseAt(long index)
        {
            long count = Count;
            if (index < 0 || index >= count) throw new ArgumentOutOfRangeException(nameof(index), index, "The matrix has cases 0.." + (count - 1) + ".");
            long rest = index;
            ulong seed = _seeds[(int)(rest % _seeds.Length)];
            rest /= _seeds.Length;
            var workloads = Workloads;
            var wNames = new List<string>(workloads.Keys);
            string wName = wNames[(int)(rest % wNames.Count)];
            rest /= wNames.Count;
            var plans = Plans;
            var pNames = new List<string>(plans.Keys);
            string pName = pNames[(int)(rest % pNames.Count)];
            rest /= pNames.Count;
            var settings = new KeyValuePair<string, string>[_axes.Count];
            for (int i = _axes.Count - 1; i >= 0; i--)
            {
                var values = _axes[i].Value;
                settings[i] = new KeyValuePair<string, string>(_axes[i].Key.Name, values[(int)(rest % values.Length)]);
                rest /= values.Length;
            }
            var rules = new List<CampaignFaultRule>();
            foreach (var r in plans[pName]) rules.Add(r.Clone());
            return new CampaignCase(index, settings, pName, rules, wName, workloads[wName].Clone(), seed, Devices);
        }

        /// <summary>The matrix in its canonical JSON form: what the fingerprint is taken over.</summary>
        public string ToJson()
        {
            using var stream = new MemoryStream();
            using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                w.WriteStartObject();
                w.WriteString("Name", Name);
                w.WriteStartObject("Axes");
                foreach (var a in _axes)
                {
                    w.WriteStartArray(a.Key.Name);
                    foreach (var v in a.Value) w.WriteStringValue(v);
                    w.WriteEndArray();
                }
                w.WriteEndObject();
                w.WriteStartObject("FaultPlans");
                foreach (var p in Plans)
                {
                    w.WriteStartArray(p.Key);
                    foreach (var r in p.Value) CampaignJson.WriteRule(w, r);
                    w.WriteEndArray();
                }
                w.WriteEndObject();
                w.WriteStartObject("Workloads");
                foreach (var x in Workloads)
                {
                    w.WritePropertyName(x.Key);
                    CampaignJson.WriteWorkload(w, x.Value);
                }
                w.WriteEndObject();
                w.WriteStartArray("Seeds");
                foreach (var s in _seeds) w.WriteNumberValue(s);
                w.WriteEndArray();
                w.WriteNumber("Devices", Devices);
                w.WriteEndObject();
            }
            return Encoding.UTF8.GetString(stream.ToArray());
        }

        /// <summary>SHA-256 of the canonical JSON (first 16 hex digits): shards of different matrices refuse to merge.</summary>
        public string Fingerprint
        {
            get
            {
                using var sha = SHA256.Create();
                var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(ToJson()));
                var sb = new StringBuilder();
                for (int i = 0; i < 8; i++) sb.Append(hash[i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
                return sb.ToString();
            }
        }

        /// <summary>
        /// Reads a matrix from JSON: <c>Name</c>, axes (under <c>Axes</c> or at the top level, a value or a list
        /// each), <c>FaultPlans</c> (name → rule or list of rules), <c>Workloads</c> (name → workload),
        /// <c>Seeds</c> (a list) or <c>SeedCount</c> (seeds 1..n), <c>Devices</c>.
        /// </summary>
        public static CampaignMatrix Parse(string json, CampaignAxisSet? axes = null)
        {
            if (json == null) throw new ArgumentNullException(nameof(json));
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            }
            catch (JsonException ex)
            {
                throw new FormatException("The campaign matrix is not valid JSON: " + ex.Message, ex);
            }
            using (doc)
            {
                var m = new CampaignMatrix(axes);
                var root = doc.RootElement;
                CampaignJson.Expect(root, JsonValueKind.Object, "matrix");
                foreach (var p in root.EnumerateObject())
                {
                    string at = "matrix." + p.Name;
                    switch (p.Name.ToLowerInvariant())
                    {
                        case "name": m.Name = CampaignJson.String(p.Value, at); break;
                        case "axes":
                            CampaignJson.Expect(p.Value, JsonValueKind.Object, at);
                            foreach (var a in p.Value.EnumerateObject()) m.ReadAxis(a, at + "." + a.Name);
                            break;
                        case "faultplans":
                        case "faults":
                            CampaignJson.Expect(p.Value, JsonValueKind.Object, at);
                            foreach (var plan in p.Value.EnumerateObject())
                            {
                                var rules = new List<CampaignFaultRule>();
                                int i = 0;
                                foreach (var r in CampaignJson.Items(plan.Value)) rules.Add(CampaignJson.ReadRule(r, at + "." + plan.Name + "[" + i++ + "]"));
                                Guard(at + "." + plan.Name, () => m.AddFaultPlan(plan.Name, rules.ToArray()));
                            }
                            break;
                        case "workloads":
                            CampaignJson.Expect(p.Value, JsonValueKind.Object, at);
                            foreach (var x in p.Value.EnumerateObject())
                            {
                                var workload = CampaignJson.ReadWorkload(x.Value, at + "." + x.Name);
                                Guard(at + "." + x.Name, () => m.AddWorkload(x.Name, workload));
                            }
                            break;
                        case "seeds":
                            var seeds = new List<ulong>();
                            foreach (var s in CampaignJson.Items(p.Value)) seeds.Add(CampaignJson.UInt64(s, at));
                            Guard(at, () => m.WithSeeds(seeds));
                            break;
                        case "seedcount":
                            long n = CampaignJson.Int64(p.Value, at);
                            if (n < 1 || n > 100_000_000) throw CampaignJson.Bad(at, "must be 1..100000000");
                            var range = new ulong[n];
                            for (long i = 0; i < n; i++) range[i] = (ulong)(i + 1);
                            m.WithSeeds(range);
                            break;
                        case "devices":
                            long d = CampaignJson.Int64(p.Value, at);
                            if (d < 1 || d > 1000) throw CampaignJson.Bad(at, "must be 1..1000");
                            m.Devices = (int)d;
                            break;
                        default:
                            if (m.AxisSet.IndexOf(p.Name) >= 0)
                            {
                                m.ReadAxis(p, at);
                                break;
                            }
                            throw CampaignJson.Bad(at, "is neither a matrix field (Name, Axes, FaultPlans, Workloads, Seeds, SeedCount, Devices) nor an axis");
                    }
                }
                return m;
            }
        }

        private void ReadAxis(JsonProperty p, string where)
        {
            var axis = CampaignJson.Axis(AxisSet, p.Name, where);
            var values = new List<string>();
            foreach (var v in CampaignJson.Items(p.Value)) values.Add(CampaignJson.Value(axis, v, where));
            Guard(where, () => Sweep(axis.Name, values.ToArray()));
        }

        private static void Guard(string where, Action action)
        {
            try
            {
                action();
            }
            catch (ArgumentException ex)
            {
                throw CampaignJson.Bad(where, ex.Message);
            }
        }
    }
}
