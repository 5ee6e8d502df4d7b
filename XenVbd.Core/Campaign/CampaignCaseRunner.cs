using System;
using System.Diagnostics;
using System.Globalization;
using XenVbd.Device;
using XenVbd.Faults;
using XenVbd.Frontend;
using XenVbd.Workload;

namespace XenVbd.Campaign
{
    /// <summary>
    /// Runs one case on its own engines: for each of the case's devices a fresh <see cref="VbdDevice"/> (its own
    /// XenHost, scheduler and seeded random source), the fault plan attached once the device is connected, and
    /// the verified workload. Nothing is shared with another case, so cases run on any thread in any order.
    /// </summary>
    public static class CampaignCaseRunner
    {
        /// <summary>Scheduler events without a completion before a case counts as hung: enough for every recovery path, small enough to keep a hung case cheap.</summary>
        public const long MaxEventsWithoutProgress = 500_000;

        public static CampaignResult Run(CampaignCase c, CampaignAxisSet? axes = null) => Run(c, axes, null);

        /// <summary>
        /// As <see cref="Run(CampaignCase, CampaignAxisSet?)"/>, on devices from <paramref name="devices"/>: a
        /// configuration's first case builds and connects its device, later ones get it restored from its snapshot
        /// under their own seed (indistinguishable from a fresh device, so the results are the same).
        /// </summary>
        public static CampaignResult Run(CampaignCase c, CampaignAxisSet? axes, VbdDevicePool? devices)
        {
            if (c == null) throw new ArgumentNullException(nameof(c));
            axes ??= CampaignAxisSet.Default;
            var wall = Stopwatch.StartNew();
            long ops = 0, errors = 0, violations = 0, injected = 0;
            long virtualTicks = 0;
            CampaignResult Finish(CampaignOutcome outcome, string failure, string detail)
            {
                wall.Stop();
                return new CampaignResult(c, outcome, failure, detail)
                {
                    Operations = ops,
                    Errors = errors,
                    Violations = violations,
                    FaultsInjected = injected,
                    VirtualElapsed = TimeSpan.FromTicks(virtualTicks),
                    WallElapsed = wall.Elapsed,
                };
            }

            VbdDeviceOptions template;
            WorkloadSpec probeSpec;
            try
            {
                template = OptionsFor(c, axes);
                probeSpec = c.Workload.ToSpec(c.WorkloadName, c.Seed);
                foreach (var r in c.Faults)
                {
                    r.ToRule();
                    if (r.Kind == FaultKind.PowerCut && !template.VolatileWriteCache)
                        throw new ArgumentException("A PowerCut fault needs VolatileWriteCache=On: without a volatile cache a power cut drops nothing.");
                }
                template.Validate();
            }
            catch (ArgumentException ex)
            {
                return Finish(CampaignOutcome.Invalid, "Invalid", ex.Message);
            }

            for (int d = 0; d < c.Devices; d++)
            {
                ulong seed = unchecked(c.Seed + (ulong)d);
                var options = template.Clone();
                options.Seed = seed;
                // The same name in every case (it is the disk's serial number): cases of one configuration then share a pooled device.
                options.Name = "campaign-" + d.ToString(CultureInfo.InvariantCulture);
                string where = c.Devices > 1 ? " (device " + d + " of " + c.Devices + ")" : "";
                try
                {
                    var device = devices != null ? devices.Acquire(options) : VbdDevice.Create(options);
                    using var owned = devices != null ? null : device;
                    if (device.State != FrontendState.Ready)
                        return Finish(CampaignOutcome.Failed, "NotConnected:" + device.State, "The device did not connect: the frontend ended " + device.State + where + ".");
                    var session = DeviceFaultSession.Attach(device);
                    foreach (var r in c.Faults) session.Plan.Add(r.ToRule());
                    var spec = c.Workload.ToSpec(c.WorkloadName, seed);
                    var target = new DeviceWorkloadTarget(device, spec.QueueDepth, c.Workload.MaxBlockBytes);
                    var result = WorkloadRunner.Run(target, spec, new WorkloadRunOptions { Faults = session.Injector, MaxViolationsListed = 4, MaxEventsWithoutProgress = MaxEventsWithoutProgress });
                    ops += result.Operations;
                    errors += result.Errors;
                    violations += result.ViolationCount;
                    foreach (var kv in result.FaultsByKind) injected += kv.Value;
                    virtualTicks += result.VirtualElapsed.Ticks;
                    if (result.ViolationCount > 0)
                    {
                        var first = result.Violations.Count > 0 ? result.Violations[0] : null;
                        string kind = first != null ? first.Kind.ToString() : "Unknown";
                        return Finish(CampaignOutcome.Failed, "Corruption:" + kind, result.ViolationCount + " integrity violations" + where + (first != null ? "; first: " + first : "") + ".");
                    }
                    if (result.DoubleCompletions > 0)
                        return Finish(CampaignOutcome.Failed, "DoubleCompletion", result.DoubleCompletions + " SRBs completed twice" + where + ".");
                    if (result.Stuck > 0)
                        return Finish(CampaignOutcome.Failed, "Hung", result.Stuck + " operations never completed" + where + "; frontend " + device.State + ".");
                    if (device.State == FrontendState.Broken)
                        return Finish(CampaignOutcome.Failed, "Broken", "The frontend declared the backend hostile and went Broken" + where + "; " + result.Errors + " errors.");
                    if (result.Errors > 0)
                        return Finish(CampaignOutcome.Failed, "IoErrors", result.Errors + " of " + result.Operations + " operations failed" + where + ".");
                }
                catch (Exception ex) when (!(ex is OutOfMemoryException))
                {
                    return Finish(CampaignOutcome.Failed, "Exception:" + ex.GetType().Name, ex.Message + where);
                }
            }
            return Finish(CampaignOutcome.Passed, "", "");
        }

        /// <summary>
        /// The device a case runs on: the axes' settings over the defaults, with guest memory sized for the
        /// workload's queue rather than the interactive default (a campaign device stays small).
        /// </summary>
        public static VbdDeviceOptions OptionsFor(CampaignCase c, CampaignAxisSet axes)
        {
            var options = new VbdDeviceOptions();
            foreach (var s in c.Settings) axes.Get(s.Key).Apply(options, s.Value);
            options.GuestBufferBytes = GuestBufferBytesFor(c.Workload.QueueDepth, c.Workload.MaxBlockBytes);
            return options;
        }

        /// <summary>The slots' buffers plus an equal half for <see cref="VbdDevice.Execute"/>'s own buffer, in whole pages.</summary>
        public static int GuestBufferBytesFor(int queueDepth, int maxTransferBytes)
        {
            long perSlot = (maxTransferBytes + 512L + XenPage.Size - 1) / XenPage.Size * XenPage.Size;
            long total = 2 * (queueDepth * perSlot + 4L * XenPage.Size);
            return (int)Math.Max(64 * 1024, Math.Min(1 << 30, total));
        }
    }
}
