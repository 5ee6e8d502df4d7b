using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Polly;
using Polly.Simmy;
using Polly.Simmy.Behavior;
using Polly.Simmy.Outcomes;
using XenVbd.Ring;
using XenVbd.Sim;

namespace XenVbd.Faults
{
    /// <summary>
    /// Turns the per-request rules of a <see cref="FaultPlan"/> into a Polly
    /// <see cref="ResiliencePipeline{T}"/> of <see cref="BackendDecision"/> and runs it once per consumed
    /// request. Each rule is one Simmy chaos strategy whose <c>Randomizer</c> is the rule's own seeded
    /// stream and whose <c>EnabledGenerator</c> checks window, count and target in virtual time:
    /// <list type="bullet">
    /// <item>modifying kinds (latency, reorder, slow storage, duplicate, bad id, swapped id, wrong op, rsp_prod jump) are
    /// chaos <em>behaviours</em> that amend the decision being built and let execution continue, so they
    /// compose;</item>
    /// <item>terminal kinds (drop, error, EOPNOTSUPP) are chaos <em>outcomes</em>, innermost, that replace the
    /// default "deliver" outcome.</item>
    /// </list>
    /// Execution is synchronous and single-threaded (the scheduler's thread), so one mutable state object
    /// carries the request in and the decision out without per-request allocation.
    /// </summary>
    public sealed class FaultDecisionPipeline
    {
        private readonly Scheduler _scheduler;
        private readonly FaultCounters _counters;
        private readonly SimRandom _random;
        private readonly Dictionary<int, SimRandom> _ruleRandoms = new Dictionary<int, SimRandom>();
        private ResiliencePipeline<BackendDecision> _pipeline = ResiliencePipeline<BackendDecision>.Empty;
        private int _ruleCount;
        private RequestInfo _request;
        private BackendDecision _decision;

        public FaultDecisionPipeline(Scheduler scheduler, FaultCounters counters, SimRandom random)
        {
            _scheduler = scheduler ?? throw new ArgumentNullException(nameof(scheduler));
            _counters = counters ?? throw new ArgumentNullException(nameof(counters));
            _random = random ?? throw new ArgumentNullException(nameof(random));
        }

        /// <summary>Rebuilds the pipeline from <paramref name="rules"/> (a plan snapshot); scheduled kinds are skipped.</summary>
        public void Rebuild(IReadOnlyList<FaultRule> rules)
        {
            var builder = new ResiliencePipelineBuilder<BackendDecision> { TimeProvider = _scheduler.Clock, Name = "xenvbd-backend-faults" };
            int n = 0;
            // Behaviours first (outer) so they amend the decision before an outcome strategy may replace it.
            foreach (var rule in rules)
            {
                if (!rule.Kind.IsPerRequest() || IsTerminal(rule.Kind)) continue;
                AddBehaviour(builder, rule);
                n++;
            }
            foreach (var rule in rules)
            {
                if (!rule.Kind.IsPerRequest() || !IsTerminal(rule.Kind)) continue;
                AddOutcome(builder, rule);
                n++;
            }
            _ruleCount = n;
            _pipeline = n == 0 ? ResiliencePipeline<BackendDecision>.Empty : builder.Build();
        }

        /// <summary>Decides the fate of one consumed request.</summary>
        public BackendDecision Decide(in RequestInfo request)
        {
            if (_ruleCount == 0) return default;
            _request = request;
            _decision = default;
            return _pipeline.Execute(static self => self._decision, this);
        }

        private static bool IsTerminal(FaultKind kind) => kind == FaultKind.Drop || kind == FaultKind.Error || kind == FaultKind.NotSupported;

        /// <summary>The rule's stream survives rebuilds: re-forking on every table change would replay its first draws.</summary>
        internal SimRandom RandomFor(FaultRule rule)
        {
            if (rule.Random != null) return rule.Random;
            if (!_ruleRandoms.TryGetValue(rule.Id, out var r))
            {
                r = _random.Fork("fault-rule-" + rule.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
                _ruleRandoms.Add(rule.Id, r);
            }
            rule.Random = r;
            return r;
        }

        /// <summary>
        /// A swapped-id rule also waits for a request consumed while another is in flight: with nothing to swap with
        /// it neither draws nor counts, so -MaxCount 1 means one response that really names another request.
        /// </summary>
        private bool Enabled(FaultRule rule)
            => rule.IsActiveAt(_scheduler.Now) && rule.Target.Matches(_request.Op, _request.Sector, _request.SectorCount)
               && (rule.Kind != FaultKind.SwappedId || _request.OthersInFlight > 0);

        private void AddBehaviour(ResiliencePipelineBuilder<BackendDecision> builder, FaultRule rule)
        {
            var random = RandomFor(rule);
            builder.AddChaosBehavior(new ChaosBehaviorStrategyOptions
            {
                Name = "rule-" + rule.Id,
                InjectionRate = rule.Rate,
                Randomizer = random.NextDouble,
                EnabledGenerator = _ => new ValueTask<bool>(Enabled(rule)),
                BehaviorGenerator = _ =>
                {
                    Amend(rule, random);
                    rule.CountInjection();
                    _counters.Increment(rule.Kind);
                    return default;
                },
            });
        }

        private void AddOutcome(ResiliencePipelineBuilder<BackendDecision> builder, FaultRule rule)
        {
            builder.AddChaosOutcome(new ChaosOutcomeStrategyOptions<BackendDecision>
            {
                Name = "rule-" + rule.Id,
                InjectionRate = rule.Rate,
                Randomizer = RandomFor(rule).NextDouble,
                EnabledGenerator = _ => new ValueTask<bool>(Enabled(rule)),
                OutcomeGenerator = _ =>
                {
                    var d = _decision;
                    switch (rule.Kind)
                    {
                        case FaultKind.Drop:
                            d.Drop = true;
                            break;
                        case FaultKind.Error:
                            d.OverrideStatus = true;
                            d.Status = BlkifStatus.Error;
                            break;
                        default:
                            d.OverrideStatus = true;
                            d.Status = BlkifStatus.NotSupported;
                            break;
                    }
                    rule.CountInjection();
                    _counters.Increment(rule.Kind);
                    return new ValueTask<Outcome<BackendDecision>?>(Outcome.FromResult(d));
                },
            });
        }

        private void Amend(FaultRule rule, SimRandom random)
        {
            switch (rule.Kind)
            {
                case FaultKind.Latency:
                case FaultKind.Reorder:
                    _decision.ExtraLatencyTicks += rule.Latency!.Sample(random);
                    break;
                case FaultKind.SlowStorage:
                    _decision.ExtraLatencyTicks += (long)(_request.Bytes * (double)TimeSpan.TicksPerSecond / rule.BytesPerSecond);
                    break;
                case FaultKind.Duplicate:
                    _decision.Duplicate = true;
                    break;
                case FaultKind.BadId:
                    _decision.CorruptId = true;
                    break;
                case FaultKind.SwappedId:
                    // The draw is made here, from the rule's stream, so which request lends its id replays with the seed.
                    _decision.SwapId = true;
                    _decision.SwapIdPick = (uint)random.NextUInt64(1UL << 32);
                    _decision.SwapRule = rule;
                    break;
                case FaultKind.WrongOp:
                    _decision.CorruptOp = true;
                    break;
                case FaultKind.RspProdJump:
                    _decision.RspProdJump = rule.JumpBy;
                    break;
            }
        }
    }
}
