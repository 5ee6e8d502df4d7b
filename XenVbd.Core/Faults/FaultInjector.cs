using System;
using System.Collections.Generic;
using XenVbd.Sim;
using XenVbd.Xen;

namespace XenVbd.Faults
{
    /// <summary>
    /// Applies a <see cref="FaultPlan"/> to a running device: per-request decisions through the Polly
    /// <see cref="FaultDecisionPipeline"/>, lost notifications through the event channel's drop hook, and
    /// scheduled faults (storms, disconnects, migrations, power cuts, bad sectors) as scheduler events.
    /// </summary>
    /// <remarks>
    /// The plan may change at any time; <see cref="Sync"/> (called on every decision and by the workload
    /// after every completion) picks the change up at a point of virtual time, so a replay sees it at the
    /// same point. All other members must be called on the scheduler's thread.
    /// </remarks>
    public sealed class FaultInjector
    {
        private readonly Scheduler _scheduler;
        private readonly IFaultEnvironment? _environment;
        private readonly FaultDecisionPipeline _pipeline;
        private readonly HashSet<int> _armed = new HashSet<int>();
        private readonly Dictionary<int, List<long>> _badSectors = new Dictionary<int, List<long>>();
        private readonly List<FaultRule> _notifyRules = new List<FaultRule>();
        private readonly Func<EventChannelEnd, bool> _dropHook;
        private EventChannel? _hookedChannel;
        private int _version = -1;

        public FaultInjector(Scheduler scheduler, FaultPlan plan, IFaultEnvironment? environment = null, FaultCounters? counters = null)
        {
            _scheduler = scheduler ?? throw new ArgumentNullException(nameof(scheduler));
            Plan = plan ?? throw new ArgumentNullException(nameof(plan));
            _environment = environment;
            Counters = counters ?? new FaultCounters();
            _pipeline = new FaultDecisionPipeline(scheduler, Counters, scheduler.Random.Fork("faults"));
            _dropHook = ShouldDropNotify;
            Sync();
        }

        public FaultPlan Plan { get; }

        public FaultCounters Counters { get; }

        /// <summary>Storm events raised so far (the counter counts storms; this counts their events).</summary>
        public long SpuriousEventsRaised { get; private set; }

        /// <summary>Decides one consumed request's fate; the backend interceptor calls this.</summary>
        public BackendDecision Decide(in RequestInfo request)
        {
            Sync();
            return _pipeline.Decide(request);
        }

        /// <summary>Applies plan changes and re-hooks the event channel if a reconnect replaced it.</summary>
        public void Sync()
        {
            var channel = _environment?.CurrentEventChannel;
            if (!ReferenceEquals(channel, _hookedChannel))
            {
                if (_hookedChannel != null && _hookedChannel.DropHook == _dropHook) _hookedChannel.DropHook = null;
                _hookedChannel = channel;
                if (channel != null && _notifyRules.Count > 0) channel.DropHook = _dropHook;
            }
            if (Plan.Version == _version) return;
            var rules = Plan.Snapshot(out _version);
            _pipeline.Rebuild(rules);

            _notifyRules.Clear();
            var live = new HashSet<int>();
            foreach (var rule in rules)
            {
                live.Add(rule.Id);
                _pipeline.RandomFor(rule);
                if (rule.Kind == FaultKind.LostNotification) _notifyRules.Add(rule);
                else if (!rule.Kind.IsPerRequest() && _armed.Add(rule.Id)) Arm(rule);
            }
            if (_hookedChannel != null) _hookedChannel.DropHook = _notifyRules.Count > 0 ? _dropHook : null;

            // Removing a bad-sector rule heals its sectors, as deleting a dm-dust block would.
            List<int>? gone = null;
            foreach (var id in _badSectors.Keys) if (!live.Contains(id)) (gone ??= new List<int>()).Add(id);
            if (gone != null)
            {
                foreach (var id in gone)
                {
                    foreach (var s in _badSectors[id]) _environment?.RemoveBadSector(s);
                    _badSectors.Remove(id);
                }
            }
        }

        private void Arm(FaultRule rule)
        {
            if (rule.Kind == FaultKind.BadSectors)
            {
                ApplyBadSectors(rule);
                return;
            }
            // A power cut that is already due happens now, before the next request reaches the disk: a READ
            // issued after Add-VbdFault -Kind PowerCut must see the loss (it used to be served from the cache
            // first, because the cut waited for the next scheduler step). It only touches the cache, so it
            // needs no scheduler context.
            if (rule.Kind == FaultKind.PowerCut && rule.Start.Ticks <= _scheduler.Now)
            {
                Activate(rule);
                return;
            }
            _scheduler.Post(Math.Max(0, rule.Start.Ticks - _scheduler.Now), () => Activate(rule));
        }

        private void ApplyBadSectors(FaultRule rule)
        {
            var random = rule.Random!;
            var list = new List<long>();
            long first = rule.Target.FirstSector, end = rule.Target.EndSector;
            for (long s = first; s < end; s++)
            {
                if (rule.Exhausted) break;
                if (!random.Chance(rule.Rate)) continue;
                if (_environment == null || !_environment.AddBadSector(s)) continue;
                list.Add(s);
                rule.CountInjection();
                Counters.Increment(FaultKind.BadSectors);
            }
            _badSectors[rule.Id] = list;
        }

        private void Activate(FaultRule rule)
        {
            if (!rule.IsInstalled) return;
            if (rule.IsActiveAt(_scheduler.Now) && rule.Random!.Chance(rule.Rate) && Fire(rule))
            {
                rule.CountInjection();
                Counters.Increment(rule.Kind);
            }
            if (rule.Period.HasValue && !rule.Exhausted)
            {
                long next = VirtualTimeLimit.Add(_scheduler.Now, rule.Period.Value.Ticks);
                if (!rule.End.HasValue || next < rule.End.Value.Ticks) _scheduler.Post(rule.Period.Value.Ticks, () => Activate(rule));
            }
        }

        private bool Fire(FaultRule rule)
        {
            var env = _environment;
            if (env == null) return false;
            switch (rule.Kind)
            {
                case FaultKind.SpuriousEventStorm:
                    var channel = env.CurrentEventChannel;
                    if (channel == null) return false;
                    ScheduleStorm(channel, rule);
                    return true;
                case FaultKind.Disconnect:
                    if (!env.DisconnectBackend()) return false;
                    _scheduler.Post(rule.ReconnectAfter.Ticks, () => { env.ReconnectBackend(); Sync(); });
                    return true;
                case FaultKind.Migration:
                    bool moved = env.MigrateBackend(rule.MigrateTo, rule.MigrateMode);
                    Sync();
                    return moved;
                case FaultKind.PowerCut:
                    return env.PowerCut();
                default:
                    return false;
            }
        }

        /// <summary>Spaces the raises one delivery latency apart so each is an upcall rather than coalescing into one.</summary>
        private void ScheduleStorm(EventChannel channel, FaultRule rule)
        {
            long spacing = channel.LatencyTicks + 1;
            for (int i = 0; i < rule.StormEvents; i++)
            {
                _scheduler.Post(i * spacing, () =>
                {
                    if (rule.Direction != NotifyDirection.FrontendToBackend) channel.Frontend.Raise();
                    if (rule.Direction != NotifyDirection.BackendToFrontend) channel.Backend.Raise();
                    SpuriousEventsRaised++;
                });
            }
        }

        private bool ShouldDropNotify(EventChannelEnd from)
        {
            var direction = from.IsFrontend ? NotifyDirection.FrontendToBackend : NotifyDirection.BackendToFrontend;
            long now = _scheduler.Now;
            foreach (var rule in _notifyRules)
            {
                if (rule.Direction != NotifyDirection.Both && rule.Direction != direction) continue;
                if (!rule.IsActiveAt(now) || !rule.Random!.Chance(rule.Rate)) continue;
                rule.CountInjection();
                Counters.Increment(FaultKind.LostNotification);
                return true;
            }
            return false;
        }
    }
}
