using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
using XenVbd.Faults;
using XenVbd.Ring;
using XenVbd.Workload;

namespace XenVbd.Campaign
{
    /// <summary>
    /// The one JSON spelling of campaign data (fault rules, workloads, cases), shared by the matrix file, the
    /// results lines and the replay file. Writing is canonical (fixed property order, invariant culture, only
    /// what differs from the defaults), so the same data always gives the same bytes; reading refuses unknown
    /// properties and bad values with a message that names them.
    /// </summary>
    public static class CampaignJson
    {
        private static readonly CampaignFaultRule DefaultRule = new CampaignFaultRule();
        private static readonly CampaignWorkload DefaultWorkload = new CampaignWorkload();

        public static void WriteRule(Utf8JsonWriter w, CampaignFaultRule r)
        {
            w.WriteStartObject();
            w.WriteString("Kind", r.Kind.ToString());
            if (r.Rate != DefaultRule.Rate) w.WriteNumber("Rate", r.Rate);
            if (r.Operation != DefaultRule.Operation) w.WriteString("Operation", r.Operation.ToString());
            if (r.FirstSector != 0) w.WriteNumber("FirstSector", r.FirstSector);
            if (r.EndSector != long.MaxValue) w.WriteNumber("EndSector", r.EndSector);
            if (r.Start != TimeSpan.Zero) w.WriteString("Start", Time(r.Start));
            if (r.End.HasValue) w.WriteString("End", Time(r.End.Value));
            if (r.Period.HasValue) w.WriteString("Period", Time(r.Period.Value));
            if (r.ActiveFor.HasValue) w.WriteString("ActiveFor", Time(r.ActiveFor.Value));
            if (r.MaxCount != 0) w.WriteNumber("MaxCount", r.MaxCount);
            if (r.Delay != DefaultRule.Delay) w.WriteString("Delay", Time(r.Delay));
            if (r.MaxDelay != TimeSpan.Zero) w.WriteString("MaxDelay", Time(r.MaxDelay));
            if (r.Distribution != DefaultRule.Distribution) w.WriteString("Distribution", r.Distribution.ToString());
            if (r.ParetoAlpha != DefaultRule.ParetoAlpha) w.WriteNumber("ParetoAlpha", r.ParetoAlpha);
            if (r.BytesPerSecond != DefaultRule.BytesPerSecond) w.WriteNumber("BytesPerSecond", r.BytesPerSecond);
            if (r.MigrateTo != DefaultRule.MigrateTo) w.WriteString("MigrateTo", r.MigrateTo.ToString());
            if (r.MigrateNative != DefaultRule.MigrateNative) w.WriteBoolean("MigrateNative", r.MigrateNative);
            w.WriteEndObject();
        }

        public static CampaignFaultRule ReadRule(JsonElement e, string where)
        {
            Expect(e, JsonValueKind.Object, where);
            var r = new CampaignFaultRule();
            bool kind = false;
            foreach (var p in e.EnumerateObject())
            {
                string at = where + "." + p.Name;
                switch (p.Name.ToLowerInvariant())
                {
                    case "kind": r.Kind = Enum<FaultKind>(p.Value, at); kind = true; break;
                    case "rate": r.Rate = Number(p.Value, at); break;
                    case "operation": r.Operation = Enum<FaultOps>(p.Value, at); break;
                    case "firstsector": r.FirstSector = Int64(p.Value, at); break;
                    case "endsector": r.EndSector = Int64(p.Value, at); break;
                    case "start": r.Start = Time(p.Value, at); break;
                    case "end": r.End = Time(p.Value, at); break;
                    case "period": r.Period = Time(p.Value, at); break;
                    case "activefor": r.ActiveFor = Time(p.Value, at); break;
                    case "maxcount": r.MaxCount = Int64(p.Value, at); break;
                    case "delay": r.Delay = Time(p.Value, at); break;
                    case "maxdelay": r.MaxDelay = Time(p.Value, at); break;
                    case "distribution": r.Distribution = Enum<LatencyShape>(p.Value, at); break;
                    case "paretoalpha": r.ParetoAlpha = Number(p.Value, at); break;
                    case "bytespersecond": r.BytesPerSecond = Int64(p.Value, at); break;
                    case "migrateto": r.MigrateTo = Enum<BlkifAbi>(p.Value, at); break;
                    case "migratenative": r.MigrateNative = Boolean(p.Value, at); break;
                    default: throw Bad(at, "is not a fault rule parameter (Kind, Rate, Operation, FirstSector, EndSector, Start, End, Period, ActiveFor, MaxCount, Delay, MaxDelay, Distribution, ParetoAlpha, BytesPerSecond, MigrateTo, MigrateNative)");
                }
            }
            if (!kind) throw Bad(where, "has no Kind (one of " + string.Join(", ", System.Enum.GetNames(typeof(FaultKind))) + ")");
            try
            {
                r.ToRule();
            }
            catch (ArgumentException ex)
            {
                throw Bad(where, "is not a valid fault rule: " + ex.Message);
            }
            return r;
        }

        public static void WriteWorkload(Utf8JsonWriter w, CampaignWorkload x)
        {
            w.WriteStartObject();
            if (x.Pattern != DefaultWorkload.Pattern) w.WriteString("Pattern", x.Pattern.ToString());
            if (x.ReadFraction != DefaultWorkload.ReadFraction) w.WriteNumber("ReadFraction", x.ReadFraction);
            w.WriteStartArray("BlockSizes");
            foreach (var s in x.BlockSizes) w.WriteNumberValue(s);
            w.WriteEndArray();
            if (x.MisalignedFraction != 0) w.WriteNumber("MisalignedFraction", x.MisalignedFraction);
            if (x.QueueDepth != DefaultWorkload.QueueDepth) w.WriteNumber("QueueDepth", x.QueueDepth);
            w.WriteNumber("Count", x.Count);
            if (x.LengthBytes != DefaultWorkload.LengthBytes) w.WriteNumber("LengthBytes", x.LengthBytes);
            if (x.FlushEvery != 0) w.WriteNumber("FlushEvery", x.FlushEvery);
            w.WriteEndObject();
        }

        public static CampaignWorkload ReadWorkload(JsonElement e, string where)
        {
            Expect(e, JsonValueKind.Object, where);
            var x = new CampaignWorkload();
            foreach (var p in e.EnumerateObject())
            {
                string at = where + "." + p.Name;
                switch (p.Name.ToLowerInvariant())
                {
                    case "pattern": x.Pattern = Enum<IoPattern>(p.Value, at); break;
                    case "readfraction": x.ReadFraction = Number(p.Value, at); break;
                    case "blocksizes":
                    case "blocksize":
                        var sizes = new List<int>();
                        foreach (var v in Items(p.Value)) sizes.Add(checked((int)Int64(v, at)));
                        x.BlockSizes = sizes.ToArray();
                        break;
                    case "misalignedfraction": x.MisalignedFraction = Number(p.Value, at); break;
                    case "queuedepth": x.QueueDepth = checked((int)Int64(p.Value, at)); break;
                    case "count": x.Count = Int64(p.Value, at); break;
                    case "lengthbytes": x.LengthBytes = Int64(p.Value, at); break;
                    case "flushevery": x.FlushEvery = checked((int)Int64(p.Value, at)); break;
                    default: throw Bad(at, "is not a workload parameter (Pattern, ReadFraction, BlockSizes, MisalignedFraction, QueueDepth, Count, LengthBytes, FlushEvery)");
                }
            }
            try
            {
                x.ToSpec("check", 1);
            }
            catch (ArgumentException ex)
            {
                throw Bad(where, "is not a valid workload: " + ex.Message);
            }
            return x;
        }

        /// <summary>A case as the replay file and the results lines hold it.</summary>
        public static void WriteCase(Utf8JsonWriter w, CampaignCase c)
        {
            w.WriteStartObject();
            w.WriteNumber("Index", c.Index);
            w.WriteStartObject("Settings");
            foreach (var s in c.Settings) w.WriteString(s.Key, s.Value);
            w.WriteEndObject();
            w.WriteString("FaultPlan", c.FaultPlan);
            w.WriteStartArray("Faults");
            foreach (var r in c.Faults) WriteRule(w, r);
            w.WriteEndArray();
            w.WriteString("Workload", c.WorkloadName);
            w.WritePropertyName("WorkloadSpec");
            WriteWorkload(w, c.Workload);
            w.WriteNumber("Seed", c.Seed);
            w.WriteNumber("Devices", c.Devices);
            w.WriteEndObject();
        }

        public static CampaignCase ReadCase(JsonElement e, CampaignAxisSet axes, string where)
        {
            Expect(e, JsonValueKind.Object, where);
            long index = 0;
            var settings = new List<KeyValuePair<string, string>>();
            string plan = "none", workloadName = "default";
            var faults = new List<CampaignFaultRule>();
            var workload = new CampaignWorkload();
            ulong seed = 1;
            int devices = 1;
            foreach (var p in e.EnumerateObject())
            {
                string at = where + "." + p.Name;
                switch (p.Name.ToLowerInvariant())
                {
                    case "index": index = Int64(p.Value, at); break;
                    case "settings":
                        Expect(p.Value, JsonValueKind.Object, at);
                        foreach (var s in p.Value.EnumerateObject())
                        {
                            var axis = Axis(axes, s.Name, at);
                            settings.Add(new KeyValuePair<string, string>(axis.Name, Value(axis, s.Value, at + "." + s.Name)));
                        }
                        break;
                    case "faultplan": plan = String(p.Value, at); break;
                    case "faults":
                        int i = 0;
                        foreach (var r in Items(p.Value)) faults.Add(ReadRule(r, at + "[" + i++ + "]"));
                        break;
                    case "workload": workloadName = String(p.Value, at); break;
                    case "workloadspec": workload = ReadWorkload(p.Value, at); break;
                    case "seed": seed = UInt64(p.Value, at); break;
                    case "devices": devices = checked((int)Int64(p.Value, at)); break;
                    default: throw Bad(at, "is not a case field (Index, Settings, FaultPlan, Faults, Workload, WorkloadSpec, Seed, Devices)");
                }
            }
            settings.Sort((a, b) => axes.IndexOf(a.Key).CompareTo(axes.IndexOf(b.Key)));
            if (devices < 1) throw Bad(where + ".Devices", "must be at least 1");
            return new CampaignCase(index, settings, plan, faults, workloadName, workload, seed, devices);
        }

        internal static CampaignAxis Axis(CampaignAxisSet axes, string name, string where)
        {
            try
            {
                return axes.Get(name);
            }
            catch (ArgumentException ex)
            {
                throw Bad(where, ex.Message);
            }
        }

        internal static string Value(CampaignAxis axis, JsonElement e, string where)
        {
            string text = e.ValueKind switch
            {
                JsonValueKind.String => e.GetString()!,
                JsonValueKind.Number => e.GetRawText(),
                JsonValueKind.True => "On",
                JsonValueKind.False => "Off",
                _ => throw Bad(where, "must be a name or a number"),
            };
            try
            {
                return axis.Canonical(text);
            }
            catch (ArgumentException ex)
            {
                throw Bad(where, ex.Message);
            }
        }

        public static string Time(TimeSpan t) => t.ToString("c", CultureInfo.InvariantCulture);

        internal static IEnumerable<JsonElement> Items(JsonElement e)
        {
            if (e.ValueKind != JsonValueKind.Array)
            {
                yield return e;
                yield break;
            }
            foreach (var x in e.EnumerateArray()) yield return x;
        }

        internal static void Expect(JsonElement e, JsonValueKind kind, string where)
        {
            if (e.ValueKind != kind) throw Bad(where, "must be " + (kind == JsonValueKind.Object ? "an object" : kind == JsonValueKind.Array ? "a list" : kind.ToString()) + ", not " + e.ValueKind);
        }

        internal static string String(JsonElement e, string where)
        {
            if (e.ValueKind != JsonValueKind.String) throw Bad(where, "must be a string");
            return e.GetString()!;
        }

        internal static double Number(JsonElement e, string where)
        {
            if (e.ValueKind == JsonValueKind.Number) return e.GetDouble();
            if (e.ValueKind == JsonValueKind.String && double.TryParse(e.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return d;
            throw Bad(where, "must be a number");
        }

        internal static long Int64(JsonElement e, string where)
        {
            if (e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var v)) return v;
            if (e.ValueKind == JsonValueKind.String && long.TryParse(e.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out v)) return v;
            throw Bad(where, "must be a whole number");
        }

        internal static ulong UInt64(JsonElement e, string where)
        {
            if (e.ValueKind == JsonValueKind.Number && e.TryGetUInt64(out var v)) return v;
            if (e.ValueKind == JsonValueKind.String && ulong.TryParse(e.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out v)) return v;
            throw Bad(where, "must be a whole number from 0 to " + ulong.MaxValue);
        }

        internal static bool Boolean(JsonElement e, string where)
        {
            if (e.ValueKind == JsonValueKind.True) return true;
            if (e.ValueKind == JsonValueKind.False) return false;
            throw Bad(where, "must be true or false");
        }

        internal static TimeSpan Time(JsonElement e, string where)
        {
            if (e.ValueKind == JsonValueKind.String && TimeSpan.TryParse(e.GetString(), CultureInfo.InvariantCulture, out var t)) return t;
            throw Bad(where, "must be a time span such as \"00:00:00.001\"");
        }

        internal static T Enum<T>(JsonElement e, string where) where T : struct, System.Enum
        {
            if (e.ValueKind == JsonValueKind.String && System.Enum.TryParse<T>(e.GetString(), true, out var v)
                && (System.Enum.IsDefined(typeof(T), v) || typeof(T).IsDefined(typeof(FlagsAttribute), false)))
                return v;
            throw Bad(where, "must be one of " + string.Join(", ", System.Enum.GetNames(typeof(T))));
        }

        internal static FormatException Bad(string where, string what) => new FormatException(where + " " + what + ".");
    }
}
