using System.Globalization;
using XenVbd.Workload;

namespace XenVbd.Lab
{
    /// <summary>The promises every lab workload must keep, checked the same way everywhere.</summary>
    internal static class LabChecks
    {
        /// <summary>Adds the workload to the result and checks: nothing stuck, nothing completed twice, no bad data, optionally no errors.</summary>
        public static void Workload(LabResult lab, string label, WorkloadResult r, bool errorsAllowed = false, long doubleCompletions = 0)
        {
            lab.Workloads.Add(new LabWorkload(label, r));
            lab.Check(r.Stuck == 0, $"{label}: {r.Stuck} operations never completed");
            lab.Check(r.DoubleCompletions + doubleCompletions == 0, $"{label}: {r.DoubleCompletions + doubleCompletions} completions were reported twice");
            lab.Check(r.ViolationCount == 0, $"{label}: {r.ViolationCount} integrity violations, first: {(r.Violations.Count > 0 ? r.Violations[0].ToString() : "-")}");
            if (!errorsAllowed) lab.Check(r.Errors == 0, $"{label}: {r.Errors} operations failed");
            lab.Check(r.Cancelled || r.Operations > 0, $"{label}: no operation completed");
        }

        public static string F(double v, string format = "0.##") => v.ToString(format, CultureInfo.InvariantCulture);
    }
}
