using System;
using System.Globalization;
using System.Text;
using System.Threading;
using XenVbd.Backend;
using XenVbd.Ring;
using XenVbd.Sim;

namespace XenVbd.Faults
{
    /// <summary>
    /// One line of a <see cref="FaultPlan"/>, like one target line of a device-mapper table: what to do
    /// (<see cref="Kind"/>), how often (<see cref="Rate"/>, a probability per chance), when (a virtual-time
    /// window, optionally flakey: active for <see cref="ActiveFor"/> in every <see cref="Period"/>), how many
    /// times at most (<see cref="MaxCount"/>) and to which requests (<see cref="Target"/>).
    /// </summary>
    /// <remarks>
    /// For per-request kinds a "chance" is one consumed request that matches; for notification kinds it is
    /// one notify; for scheduled kinds (disconnect, migration, storm, power cut) it is one activation at the
    /// window start and then once per <see cref="Period"/>. The parameters a kind does not use are ignored.
    /// </remarks>
    public sealed class FaultRule
    {
        private long _injected;

        public FaultRule(FaultKind kind)
        {
            Kind = kind;
        }

        public FaultKind Kind { get; }

        /// <summary>Assigned by the plan when the rule is added; stable for the rule's life and used to seed its random stream.</summary>
        public int Id { get; internal set; }

        public string? Name { get; init; }

        /// <summary>Probability in [0, 1] that a matching chance is taken.</summary>
        public double Rate { get; init; } = 1.0;

        public FaultTarget Target { get; init; } = FaultTarget.Everything;

        /// <summary>Virtual time (since the simulation began) from which the rule is active.</summary>
        public TimeSpan Start { get; init; } = TimeSpan.Zero;

        /// <summary>Virtual time at which the rule stops; null for never.</summary>
        public TimeSpan? End { get; init; }

        /// <summary>With <see cref="ActiveFor"/>: a dm-flakey cycle. For scheduled kinds: the repeat interval.</summary>
        public TimeSpan? Period { get; init; }

        /// <summary>How long in each <see cref="Period"/> the rule is up; null means the whole period.</summary>
        public TimeSpan? ActiveFor { get; init; }

        /// <summary>Most injections; 0 for no limit.</summary>
        public long MaxCount { get; init; }

        /// <summary>What a <see cref="FaultKind.SwappedId"/> rule did the last time it fired (which answer carried which other request's id); null before.</summary>
        public SwappedIdRecord? LastSwap { get; internal set; }

        /// <summary>Delay for <see cref="FaultKind.Latency"/>; spread for <see cref="FaultKind.Reorder"/>.</summary>
        public LatencyDistribution? Latency { get; init; }

        /// <summary>Storage throughput for <see cref="FaultKind.SlowStorage"/>.</summary>
        public long BytesPerSecond { get; init; } = 10L * 1024 * 1024;

        /// <summary>How far past a ring's worth <c>rsp_prod</c> jumps for <see cref="FaultKind.RspProdJump"/>.</summary>
        public uint JumpBy { get; init; } = 1000;

        /// <summary>Events per storm for <see cref="FaultKind.SpuriousEventStorm"/>.</summary>
        public int StormEvents { get; init; } = 1000;

        public NotifyDirection Direction { get; init; } = NotifyDirection.Both;

        /// <summary>Time the backend stays away for <see cref="FaultKind.Disconnect"/>.</summary>
        public TimeSpan ReconnectAfter { get; init; } = TimeSpan.FromMilliseconds(5);

        /// <summary>The ABI of the dom0 the backend moves to for <see cref="FaultKind.Migration"/>.</summary>
        public BlkifAbi MigrateTo { get; init; } = BlkifAbi.X86_32;

        /// <summary>How the new backend picks its ABI: <see cref="BackendAbiMode.Native"/> ignores the <c>protocol</c> key (a pre-2008 blkback).</summary>
        public BackendAbiMode MigrateMode { get; init; } = BackendAbiMode.Native;

        /// <summary>How many times the rule fired so far.</summary>
        public long Injected => Interlocked.Read(ref _injected);

        public bool Exhausted => MaxCount > 0 && Injected >= MaxCount;

        /// <summary>False once removed from its plan: a scheduled activation already queued then does nothing.</summary>
        public bool IsInstalled { get; internal set; }

        /// <summary>The rule's own stream, forked from the engine seed by id, so adding a rule never shifts another rule's draws.</summary>
        internal SimRandom? Random { get; set; }

        internal void CountInjection() => Interlocked.Increment(ref _injected);

        /// <summary>Whether the window, the flakey cycle and the count limit allow an injection at <paramref name="nowTicks"/>.</summary>
        public bool IsActiveAt(long nowTicks)
        {
            if (!IsInstalled || Exhausted) return false;
            if (nowTicks < Start.Ticks) return false;
            if (End.HasValue && nowTicks >= End.Value.Ticks) return false;
            if (Period.HasValue && ActiveFor.HasValue && Period.Value.Ticks > 0)
            {
                long phase = (nowTicks - Start.Ticks) % Period.Value.Ticks;
                if (phase >= ActiveFor.Value.Ticks) return false;
            }
            return true;
        }

        /// <summary>Throws if the rule cannot mean anything, so a bad line is refused when added rather than ignored at run time.</summary>
        public void Validate()
        {
            if (!(Rate >= 0 && Rate <= 1)) throw new ArgumentOutOfRangeException(nameof(Rate), Rate, "The rate is a probability in [0, 1].");
            if (MaxCount < 0) throw new ArgumentOutOfRangeException(nameof(MaxCount), MaxCount, "The count limit cannot be negative.");
            if (Start < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(Start), Start, "The window cannot start before time zero.");
            VirtualTimeLimit.Check(Start, nameof(Start));
            if (End.HasValue) VirtualTimeLimit.Check(End.Value, nameof(End));
            if (Period.HasValue) VirtualTimeLimit.Check(Period.Value, nameof(Period));
            if (ActiveFor.HasValue) VirtualTimeLimit.Check(ActiveFor.Value, nameof(ActiveFor));
            VirtualTimeLimit.Check(ReconnectAfter, nameof(ReconnectAfter));
            if (End.HasValue && End.Value <= Start) throw new ArgumentOutOfRangeException(nameof(End), End, "The window must end after it starts.");
            if (Period.HasValue && Period.Value <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(Period), Period, "The period must be positive.");
            if (ActiveFor.HasValue && (!Period.HasValue || ActiveFor.Value <= TimeSpan.Zero || ActiveFor.Value > Period.Value))
                throw new ArgumentOutOfRangeException(nameof(ActiveFor), ActiveFor, "ActiveFor needs a Period and must lie in (0, Period].");
            if ((Kind == FaultKind.Latency || Kind == FaultKind.Reorder) && Latency == null)
                throw new ArgumentException($"A {Kind} rule needs a latency distribution.", nameof(Latency));
            if (Kind == FaultKind.SlowStorage && BytesPerSecond <= 0) throw new ArgumentOutOfRangeException(nameof(BytesPerSecond), BytesPerSecond, "Throughput must be positive.");
            if (Kind == FaultKind.SpuriousEventStorm && StormEvents <= 0) throw new ArgumentOutOfRangeException(nameof(StormEvents), StormEvents, "A storm needs at least one event.");
            if (Kind == FaultKind.BadSectors && Target.EndSector == long.MaxValue)
                throw new ArgumentException("Bad sectors need a bounded sector range in the target.", nameof(Target));
        }

        public override string ToString()
        {
            var sb = new StringBuilder();
            sb.Append('#').Append(Id.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(Kind);
            if (Name != null) sb.Append(" \"").Append(Name).Append('"');
            sb.Append(" rate ").Append(Rate.ToString("0.####", CultureInfo.InvariantCulture));
            sb.Append(" target ").Append(Target);
            if (Latency != null) sb.Append(" latency ").Append(Latency);
            if (Start > TimeSpan.Zero || End.HasValue) sb.Append(" window ").Append(Start).Append("..").Append(End?.ToString() ?? "end");
            if (Period.HasValue) sb.Append(" period ").Append(Period.Value).Append(ActiveFor.HasValue ? " up " + ActiveFor.Value : "");
            if (MaxCount > 0) sb.Append(" count ").Append(MaxCount.ToString(CultureInfo.InvariantCulture));
            sb.Append(" injected ").Append(Injected.ToString(CultureInfo.InvariantCulture));
            return sb.ToString();
        }
    }
}
