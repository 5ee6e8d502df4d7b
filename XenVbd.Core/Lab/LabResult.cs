using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using XenVbd.Personality;
using XenVbd.Workload;

namespace XenVbd.Lab
{
    /// <summary>
    /// The outcome of one lab: pass or fail, what was found, the numbers, and the command that replays it
    /// exactly. Everything but <see cref="WallTime"/> is a function of the seed.
    /// </summary>
    public sealed class LabResult
    {
        private readonly IReadOnlyList<DriverBehaviour> _behaviours;

        public LabResult(string name, ulong seed)
            : this(name, seed, "", Array.Empty<DriverBehaviour>())
        {
        }

        /// <summary>
        /// A lab run under the frontend personality <paramref name="personality"/>, whose behaviours (each with its
        /// source) the lab's expected outcomes cite (<see cref="Expect"/>).
        /// </summary>
        public LabResult(string name, ulong seed, string personality, IReadOnlyList<DriverBehaviour> behaviours)
        {
            Name = name;
            Seed = seed;
            Personality = personality ?? throw new ArgumentNullException(nameof(personality));
            _behaviours = behaviours ?? throw new ArgumentNullException(nameof(behaviours));
        }

        public string Name { get; }

        public ulong Seed { get; }

        /// <summary>The frontend personality the lab's devices run (empty for a result made without one).</summary>
        public string Personality { get; }

        /// <summary>New-VbdDevice parameters every device of the lab gets on top of its own (the script's -DeviceOptions); null for none.</summary>
        public IDictionary? DeviceOptions { get; set; }

        /// <summary>Passed: every check held and every expected outcome was observed as expected.</summary>
        public bool Passed => Failures.Count == 0 && Outcomes.All(o => o.Observed != null);

        /// <summary>PASS or FAIL (<see cref="Passed"/> in the four letters the lab table shows).</summary>
        public string Result => Passed ? "PASS" : "FAIL";

        /// <summary>Each case's expected outcome under <see cref="Personality"/> and what the model showed, in the order expected.</summary>
        public List<LabOutcome> Outcomes { get; } = new List<LabOutcome>();

        /// <summary>The expected outcomes in a few words ("Broken", "Stopped 3, Intact 1"); empty when the lab expects none.</summary>
        public string Expected => Summarise(Outcomes.Select(o => o.Expected));

        /// <summary>The observed outcomes in the same words ("?" for a case not observed); equal to <see cref="Expected"/> when every case held.</summary>
        public string Observed => Summarise(Outcomes.Select(o => o.Observed ?? "?"));

        /// <summary>What the lab observed, in order; readable sentences.</summary>
        public List<string> Findings { get; } = new List<string>();

        /// <summary>Assertions that did not hold; empty when the lab passed.</summary>
        public List<string> Failures { get; } = new List<string>();

        /// <summary>Named numbers, sorted by name so reports list them the same way every run.</summary>
        public SortedDictionary<string, double> Metrics { get; } = new SortedDictionary<string, double>(StringComparer.Ordinal);

        /// <summary>Workloads run, for the latency and throughput plots.</summary>
        public List<LabWorkload> Workloads { get; } = new List<LabWorkload>();

        /// <summary>Extra plot data (bounce cost against transfer size, ...).</summary>
        public List<LabPoint> Points { get; } = new List<LabPoint>();

        /// <summary>How long the lab took on this machine; kept out of the deterministic report. Invoke-VbdLab sets it.</summary>
        public TimeSpan WallTime { get; set; }

        /// <summary><see cref="WallTime"/> in seconds, to two places (the checks table's column).</summary>
        public double WallSeconds => Math.Round(WallTime.TotalSeconds, 2);

        /// <summary>How many findings the lab wrote.</summary>
        public int FindingCount => Findings.Count;

        /// <summary>How many of its checks and expected outcomes failed.</summary>
        public int FailureCount => Failures.Count;

        /// <summary>Empty when the lab passed, else its replay command and its first failure (the checks table's last column).</summary>
        public string FirstFailure => Passed ? "" : ReplayCommand + " : " + (Failures.Count > 0 ? Failures[0] : "an expected outcome was not observed");

        /// <summary>
        /// The lab script of a user's own folder (Invoke-VbdLab -Path), so its replay command names it; null for
        /// the labs shipped with the module, which Invoke-VbdLab finds by name alone.
        /// </summary>
        public string? ScriptPath { get; set; }

        /// <summary>Checks made so far, passed or failed; a lab that made none proved nothing.</summary>
        public int ChecksMade { get; private set; }

        public string ReplayCommand => "Invoke-VbdLab -Name " + Name + " -Seed " + Seed.ToString(CultureInfo.InvariantCulture)
            + (Personality.Length == 0 ? "" : " -Personality " + Personality)
            + (ScriptPath == null ? "" : " -Path '" + ScriptPath.Replace("'", "''") + "'");

        /// <summary>
        /// A seed derived from the lab's seed for one step (a device, a workload), so adding a step to a lab does
        /// not change the others' (64-bit FNV-1a of the step's name over the lab's seed; never 0).
        /// </summary>
        public ulong SeedFor(string step)
        {
            if (step == null) throw new ArgumentNullException(nameof(step));
            ulong h = 14695981039346656037UL ^ Seed;
            foreach (char c in step) { h ^= c; h *= 1099511628211UL; }
            return h == 0 ? 1 : h;
        }

        public void Find(string finding) => Findings.Add(finding);

        /// <summary>Records <paramref name="what"/> as a failure unless <paramref name="condition"/> holds.</summary>
        public bool Check(bool condition, string what)
        {
            ChecksMade++;
            if (!condition) Failures.Add(what);
            return condition;
        }

        public void Metric(string name, double value) => Metrics[name] = value;

        /// <summary>Adds one point to the lab's own plot <paramref name="plot"/>.</summary>
        public void Point(string plot, string series, double x, double y) => Points.Add(new LabPoint(plot, series, x, y));

        /// <summary>
        /// Adds a workload to the result (for the plots and results.json) and checks the promises every lab
        /// workload keeps: nothing stuck, nothing completed twice, no bad data, something completed, and — unless
        /// <paramref name="errorsAllowed"/> — no failed operation. True when all held.
        /// </summary>
        public bool CheckWorkload(string label, WorkloadResult result, bool errorsAllowed = false)
        {
            if (label == null) throw new ArgumentNullException(nameof(label));
            if (result == null) throw new ArgumentNullException(nameof(result));
            Workloads.Add(new LabWorkload(label, result));
            bool ok = Check(result.Stuck == 0, $"{label}: {result.Stuck} operations never completed");
            ok &= Check(result.DoubleCompletions == 0, $"{label}: {result.DoubleCompletions} completions were reported twice");
            ok &= Check(result.ViolationCount == 0, $"{label}: {result.ViolationCount} integrity violations, first: {(result.Violations.Count > 0 ? result.Violations[0].ToString() : "-")}");
            if (!errorsAllowed) ok &= Check(result.Errors == 0, $"{label}: {result.Errors} operations failed");
            ok &= Check(result.Cancelled || result.Operations > 0, $"{label}: no operation completed");
            return ok;
        }

        /// <summary>
        /// States the outcome the real driver has in <paramref name="case"/>: one word, and the id of the
        /// personality's behaviour that decides it (its summary and source go with the outcome into the console and
        /// the report). Throws for an empty outcome, an unknown behaviour id or a case stated twice.
        /// </summary>
        public LabOutcome Expect(string @case, string outcome, string behaviour)
        {
            if (string.IsNullOrWhiteSpace(@case)) throw new ArgumentException("An expected outcome names its case.", nameof(@case));
            if (string.IsNullOrWhiteSpace(outcome))
                throw new ArgumentException("The lab " + Name + " states no expected outcome for '" + @case + "' under the personality " + (Personality.Length == 0 ? "(none)" : Personality) + ".", nameof(outcome));
            if (Outcomes.Any(o => string.Equals(o.Case, @case, StringComparison.Ordinal)))
                throw new ArgumentException("The case '" + @case + "' already has an expected outcome.", nameof(@case));
            DriverBehaviour? b = _behaviours.FirstOrDefault(x => string.Equals(x.Id, behaviour, StringComparison.Ordinal));
            if (b == null)
            {
                throw new ArgumentException(_behaviours.Count == 0
                    ? "This lab result has no personality to cite: start it with New-VbdLabResult -Personality."
                    : "The personality " + Personality + " has no behaviour '" + behaviour + "'; it has " + string.Join(", ", _behaviours.Select(x => x.Id)) + ".", nameof(behaviour));
            }

            var expected = new LabOutcome(@case, outcome, b);
            Outcomes.Add(expected);
            return expected;
        }

        /// <summary>
        /// Records what the model showed in <paramref name="case"/> and what the checkers saw; a failure naming the
        /// expected outcome, its behaviour and source unless it is the expected one. True when it is.
        /// </summary>
        public bool Observe(string @case, string outcome, string evidence)
        {
            LabOutcome? o = Outcomes.FirstOrDefault(x => string.Equals(x.Case, @case, StringComparison.Ordinal))
                ?? throw new ArgumentException("The case '" + @case + "' has no expected outcome; state it first with Expect.", nameof(@case));
            if (o.Observed != null) throw new ArgumentException("The case '" + @case + "' was already observed (" + o.Observed + ").", nameof(@case));
            o.Observed = string.IsNullOrWhiteSpace(outcome) ? "?" : outcome;
            o.Evidence = evidence ?? "";
            return Check(o.Matched, @case + ": expected " + o.Expected + " under " + Personality + " (" + o.Behaviour + ": " + o.Because + " " + o.SourceText
                + "), observed " + o.Observed + (o.Evidence.Length == 0 ? "" : ": " + o.Evidence));
        }

        /// <summary>Adds a workload to the result for the plots and results.json, checking nothing (a case's outcome says what it showed).</summary>
        public void AddWorkload(string label, WorkloadResult result)
        {
            if (label == null) throw new ArgumentNullException(nameof(label));
            if (result == null) throw new ArgumentNullException(nameof(result));
            Workloads.Add(new LabWorkload(label, result));
        }

        /// <summary>
        /// Adds a workload to the result (for the plots and results.json) and observes <paramref name="case"/> from
        /// it: the outcome the checkers give it (<see cref="OutcomeOf"/>), with what each saw and the device's state
        /// and reason as the evidence. True when that is the expected outcome.
        /// </summary>
        public bool ObserveWorkload(string @case, WorkloadResult result, string deviceState, string? reason = null)
        {
            if (result == null) throw new ArgumentNullException(nameof(result));
            AddWorkload(@case, result);
            string evidence = EvidenceOf(result) + "; device " + deviceState + (string.IsNullOrEmpty(reason) ? "" : " (" + reason + ")");
            return Observe(@case, OutcomeOf(result, deviceState), evidence);
        }

        /// <summary>
        /// The outcome word for a workload the lab's checkers looked at, worst first: Stopped (the model stopped the
        /// device where the real driver touches memory outside its own structures), Corrupt (integrity violations),
        /// Twice (an SRB completed twice), Hangs (SRBs never completed by the end of the virtual-clock run), Broken
        /// (the device gave up, every SRB completed once), Errors (SRBs failed, the device still Ready), Intact.
        /// </summary>
        public static string OutcomeOf(WorkloadResult result, string deviceState) => Classify(result, deviceState);

        /// <summary>What each checker saw in a workload (see <see cref="EvidenceOf"/>); an instance member, so a lab script reaches it through its result.</summary>
        public string Evidence(WorkloadResult result) => EvidenceOf(result);

        private static string Classify(WorkloadResult result, string deviceState)
        {
            if (result == null) throw new ArgumentNullException(nameof(result));
            if (string.Equals(deviceState, "Stopped", StringComparison.Ordinal)) return "Stopped";
            if (result.ViolationCount > 0) return "Corrupt";
            if (result.DoubleCompletions > 0) return "Twice";
            if (result.Stuck > 0) return "Hangs";
            if (string.Equals(deviceState, "Broken", StringComparison.Ordinal)) return "Broken";
            return result.Errors > 0 ? "Errors" : "Intact";
        }

        /// <summary>What each checker saw in a workload, named: the hang detector, exactly-once, integrity, errors.</summary>
        public static string EvidenceOf(WorkloadResult result)
        {
            if (result == null) throw new ArgumentNullException(nameof(result));
            var sb = new StringBuilder();
            sb.Append(result.Operations.ToString(CultureInfo.InvariantCulture)).Append(" SRBs completed");
            if (result.Stuck > 0)
                sb.Append("; hang detector: ").Append(result.Stuck.ToString(CultureInfo.InvariantCulture)).Append(" never completed by ")
                  .Append(result.VirtualElapsed.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)).Append(" s virtual");
            if (result.DoubleCompletions > 0) sb.Append("; exactly-once: ").Append(result.DoubleCompletions.ToString(CultureInfo.InvariantCulture)).Append(" completed twice");
            if (result.ViolationCount > 0)
                sb.Append("; integrity: ").Append(result.ViolationCount.ToString(CultureInfo.InvariantCulture)).Append(" violations, first ")
                  .Append(result.Violations.Count > 0 ? result.Violations[0].ToString() : "-");
            if (result.Errors > 0) sb.Append("; ").Append(result.Errors.ToString(CultureInfo.InvariantCulture)).Append(" failed");
            return sb.ToString();
        }

        /// <summary>"Broken" when every case says Broken; "Stopped 3, Intact 1" otherwise (in the order first met), "Probed, NoRetry" when each word is met once.</summary>
        private static string Summarise(IEnumerable<string> outcomes)
        {
            var counts = new List<KeyValuePair<string, int>>();
            foreach (string o in outcomes)
            {
                int i = counts.FindIndex(kv => kv.Key == o);
                if (i < 0) counts.Add(new KeyValuePair<string, int>(o, 1));
                else counts[i] = new KeyValuePair<string, int>(o, counts[i].Value + 1);
            }

            if (counts.Count == 1) return counts[0].Key;
            bool once = counts.All(kv => kv.Value == 1);
            return string.Join(", ", counts.Select(kv => once ? kv.Key : kv.Key + " " + kv.Value.ToString(CultureInfo.InvariantCulture)));
        }

        public override string ToString() => (Passed ? "PASS " : "FAIL ") + Name + (Personality.Length == 0 ? "" : " under " + Personality) + " (seed " + Seed.ToString(CultureInfo.InvariantCulture) + ")";
    }
}
