using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using XenVbd.Sim;

namespace XenVbd.Workload
{
    /// <summary>
    /// Runs a <see cref="WorkloadSpec"/> against a target in virtual time: keeps the queue full, stamps
    /// every written sector, judges every sector read against the expected-generation map, and keeps
    /// overlapping operations out of flight at the same time (as fio's verify does) so each sector has
    /// exactly one expected answer.
    /// </summary>
    public sealed class WorkloadRunner : IWorkloadCompletion
    {
        private readonly IWorkloadTarget _target;
        private readonly WorkloadSpec _spec;
        private readonly WorkloadRunOptions _options;
        private readonly Scheduler _scheduler;
        private readonly SimRandom _random;
        private readonly WorkloadIo[] _slots;
        private readonly ExpectedGenerationMap? _map;
        private readonly LatencyHistogram _histogram = new LatencyHistogram();
        private readonly ThroughputTimeline _timeline;
        private readonly List<IntegrityViolation> _violations = new List<IntegrityViolation>();
        private readonly long[] _violationCounts = new long[5];
        private readonly int _lss;
        private readonly long _firstLba;
        private readonly long _regionBlocks;
        private readonly long _startTicks;
        private readonly WorkloadResult _result = new WorkloadResult();
        private long _nextLba;
        private int _burstLeft;
        private long _submitted;
        private long _completed;
        private int _outstanding;
        private long _writesSinceFlush;
        private long _lastCompletionTicks;
        private bool _stopIssuing;

        private WorkloadRunner(IWorkloadTarget target, WorkloadSpec spec, WorkloadRunOptions options)
        {
            _target = target;
            _spec = spec;
            _options = options;
            _scheduler = target.Scheduler;
            _random = new SimRandom(spec.Seed).Fork("workload:" + spec.Name);
            _lss = target.LogicalSectorSize;
            if (spec.OffsetBytes % _lss != 0) throw new ArgumentException($"The region offset must be a multiple of the {_lss}-byte sector.", nameof(spec));
            long length = spec.LengthBytes > 0 ? spec.LengthBytes : target.SizeBytes - spec.OffsetBytes;
            length = Math.Min(length, ExpectedGenerationMap.MaxSectors * 512);
            length -= length % _lss;
            if (length <= 0 || spec.OffsetBytes + length > target.SizeBytes) throw new ArgumentOutOfRangeException(nameof(spec), "The region lies outside the disk.");
            _firstLba = spec.OffsetBytes / _lss;
            _regionBlocks = length / _lss;
            _nextLba = _firstLba;
            int maxBytes = RoundUp(Math.Min(spec.BlockSizes.MaxBytes, (int)Math.Min(int.MaxValue / 2, length)));
            _slots = new WorkloadIo[spec.QueueDepth];
            for (int i = 0; i < _slots.Length; i++) _slots[i] = new WorkloadIo(i, maxBytes);
            if (spec.Verify)
            {
                _map = options.Map ?? new ExpectedGenerationMap(spec.OffsetBytes / 512, length / 512, spec.Seed);
                if (_map.Seed != spec.Seed) throw new ArgumentException("The carried-over map was made with another seed.", nameof(options));
                if (!_map.Contains(spec.OffsetBytes / 512) || !_map.Contains((spec.OffsetBytes + length) / 512 - 1))
                    throw new ArgumentException("The carried-over map does not cover the region.", nameof(options));
            }
            _startTicks = _scheduler.Now;
            _lastCompletionTicks = _startTicks;
            _timeline = new ThroughputTimeline(_startTicks);
        }

        /// <summary>The verification map of the run, to carry into the next (null when not verifying).</summary>
        public ExpectedGenerationMap? Map => _map;

        public static WorkloadResult Run(IWorkloadTarget target, WorkloadSpec spec, WorkloadRunOptions? options = null)
            => Run(target, spec, options, out _);

        public static WorkloadResult Run(IWorkloadTarget target, WorkloadSpec spec, WorkloadRunOptions? options, out ExpectedGenerationMap? map)
        {
            if (target == null) throw new ArgumentNullException(nameof(target));
            if (spec == null) throw new ArgumentNullException(nameof(spec));
            spec.Validate();
            var runner = new WorkloadRunner(target, spec, options ?? new WorkloadRunOptions());
            map = runner._map;
            return runner.Execute();
        }

        private WorkloadResult Execute()
        {
            // Issue() runs outside scheduler events too; with the scheduler's context current, any await a
            // target makes (the host retry pipeline) resumes as a scheduler event instead of on the thread pool.
            var previousContext = SynchronizationContext.Current;
            SynchronizationContext.SetSynchronizationContext(_scheduler.SynchronizationContext);
            try
            {
                return ExecuteCore();
            }
            finally
            {
                SynchronizationContext.SetSynchronizationContext(previousContext);
            }
        }

        private WorkloadResult ExecuteCore()
        {
            var wall = Stopwatch.StartNew();
            var countersAtStart = _target.ReadCounters();
            var faultsAtStart = _options.Faults?.Counters.ToDictionary();
            long retriesAtStart = _options.HostRetries?.Retries ?? 0;
            long targetDoublesAtStart = (_target as DeviceWorkloadTarget)?.DoubleCompletions ?? 0;
            var ct = _options.CancellationToken;

            using var context = _scheduler.EnterContext();
            Issue();
            long idleEvents = 0;
            long lastCompleted = 0;
            while (_outstanding > 0)
            {
                if (ct.IsCancellationRequested && !_result.Cancelled)
                {
                    _result.Cancelled = true;
                    _stopIssuing = true;
                }
                if (!_scheduler.RunNext()) break;
                if (_completed != lastCompleted)
                {
                    lastCompleted = _completed;
                    idleEvents = 0;
                    if (!_stopIssuing) Issue();
                }
                else if (++idleEvents > _options.MaxEventsWithoutProgress) break;
            }
            wall.Stop();

            _result.Name = _spec.Name;
            _result.Seed = _spec.Seed;
            if (_target is DeviceWorkloadTarget onDevice) _result.Personality = onDevice.Personality;
            _result.Stuck = _outstanding;
            _result.Operations = _completed;
            _result.VirtualElapsed = TimeSpan.FromTicks(_lastCompletionTicks - _startTicks);
            _result.WallElapsed = wall.Elapsed;
            _result.Histogram = _histogram;
            _result.Latency = new LatencyPercentiles(_histogram);
            _result.Timeline = _timeline;
            var c = _target.ReadCounters().Minus(countersAtStart);
            _result.RingRequests = c.Requests;
            _result.Probes = c.Probes;
            _result.AbiSwitches = c.AbiSwitches;
            _result.Timeouts = c.Timeouts;
            _result.Resets = c.Resets;
            _result.Reconnects = c.Reconnects;
            _result.Requeues = c.Requeues;
            _result.HostRetries = (_options.HostRetries?.Retries ?? 0) - retriesAtStart;
            // The frontend completing one SRB twice is seen by the device target, not by the workload's slot: count both.
            if (_target is DeviceWorkloadTarget deviceTarget) _result.DoubleCompletions += deviceTarget.DoubleCompletions - targetDoublesAtStart;
            if (_options.Faults != null)
            {
                foreach (var kv in _options.Faults.Counters.ToDictionary())
                {
                    long before = faultsAtStart != null && faultsAtStart.TryGetValue(kv.Key, out var b) ? b : 0;
                    if (kv.Value - before != 0) _result.FaultsByKind[kv.Key] = kv.Value - before;
                }
            }
            for (int i = 0; i < _violationCounts.Length; i++)
                if (_violationCounts[i] != 0) _result.ViolationsByKind[((IntegrityViolationKind)i).ToString()] = _violationCounts[i];
            _result.Violations = _violations.ToArray();
            return _result;
        }

        private void Issue()
        {
            while (_outstanding < _slots.Length && !_stopIssuing)
            {
                bool countReached = _spec.Count > 0 && _submitted >= _spec.Count;
                bool timeUp = (_spec.Count == 0 || _spec.StopAtDuration) && _scheduler.Now - _startTicks >= _spec.Duration.Ticks;
                if (countReached || timeUp)
                {
                    _stopIssuing = true;
                    return;
                }
                var io = FreeSlot();
                if (!Prepare(io)) return;
                io.Busy = true;
                io.SubmitTicks = _scheduler.Now;
                io.OpIndex = _submitted++;
                _outstanding++;
                _target.Start(io, this);
            }
        }

        private WorkloadIo FreeSlot()
        {
            foreach (var s in _slots) if (!s.Busy) return s;
            throw new InvalidOperationException("No free slot although the queue is not full.");
        }

        private bool Prepare(WorkloadIo io)
        {
            io.Success = false;
            io.RequestsUsed = 0;
            io.BouncePasses = 0;
            io.BytesBounced = 0;
            io.ExtraCompletions = 0;
            if (_spec.FlushEvery > 0 && _writesSinceFlush >= _spec.FlushEvery)
            {
                _writesSinceFlush = 0;
                io.Kind = WorkloadIoKind.Flush;
                io.Lba = 0;
                io.Blocks = 0;
                io.Length = 0;
                io.AlignmentOffset = 0;
                io.Sector512 = 0;
                io.Sectors512 = 0;
                io.Generation = DurableCandidate();
                return true;
            }

            bool write = !_random.Chance(_spec.ReadFraction);
            int bytes = RoundUp(_spec.BlockSizes.Sample(_random, ref _burstLeft));
            long blocks = Math.Min(bytes / _lss, _regionBlocks);
            long lba = -1;
            for (int attempt = 0; attempt < 8 && lba < 0; attempt++)
            {
                long candidate;
                if (_spec.Pattern == IoPattern.Sequential)
                {
                    if (_nextLba + blocks > _firstLba + _regionBlocks) _nextLba = _firstLba;
                    candidate = _nextLba;
                }
                else
                {
                    long choices = Math.Max(1, _regionBlocks / blocks);
                    candidate = _firstLba + _random.NextInt64(0, choices) * blocks;
                }
                if (!OverlapsInFlight(candidate, blocks)) lba = candidate;
                else if (_spec.Pattern == IoPattern.Sequential) return false;
            }
            // Every candidate overlapped work in flight: wait for a completion rather than break verification.
            if (lba < 0) return false;
            if (_spec.Pattern == IoPattern.Sequential) _nextLba = lba + blocks;

            io.Kind = write ? WorkloadIoKind.Write : WorkloadIoKind.Read;
            io.Lba = lba;
            io.Blocks = (int)blocks;
            io.Length = (int)(blocks * _lss);
            io.AlignmentOffset = 0;
            if (_spec.MisalignedFraction > 0 && _random.Chance(_spec.MisalignedFraction))
            {
                var offsets = _spec.AlignmentOffsets;
                io.AlignmentOffset = offsets.Length > 0 ? offsets[_random.Next(offsets.Length)] : _random.Next(1, 512);
            }
            io.Sector512 = lba * (_lss / 512);
            io.Sectors512 = io.Length / 512;
            var data = io.Data;
            if (write)
            {
                _writesSinceFlush++;
                io.Generation = _map?.NextGeneration() ?? 0;
                if (_map != null)
                {
                    for (int s = 0; s < io.Sectors512; s++)
                        BlockHeader.Stamp(data.Slice(s * 512, 512), io.Sector512 + s, io.Generation, _spec.Seed);
                }
                else
                {
                    data.Fill((byte)io.OpIndex);
                }
            }
            else
            {
                // Poison, so a read that never delivers data is caught as garbage instead of passing on stale buffer contents.
                data.Fill(0xA5);
            }
            return true;
        }

        /// <summary>All writes up to this generation have completed; a flush issued now makes them durable.</summary>
        private ulong DurableCandidate()
        {
            ulong candidate = _map?.Generation ?? 0;
            foreach (var s in _slots)
                if (s.Busy && s.Kind == WorkloadIoKind.Write && s.Generation - 1 < candidate) candidate = s.Generation - 1;
            return candidate;
        }

        private bool OverlapsInFlight(long lba, long blocks)
        {
            foreach (var s in _slots)
            {
                if (!s.Busy || s.Kind == WorkloadIoKind.Flush) continue;
                if (lba < s.Lba + s.Blocks && s.Lba < lba + blocks) return true;
            }
            return false;
        }

        public void OnCompleted(WorkloadIo io)
        {
            if (!io.Busy)
            {
                _result.DoubleCompletions++;
                return;
            }
            _result.DoubleCompletions += io.ExtraCompletions;
            long now = _scheduler.Now;
            _histogram.Record(now - io.SubmitTicks);
            _timeline.Record(now, io.Length, _target.RingOccupancy);
            _lastCompletionTicks = now;
            if (io.RequestsUsed > 1) _result.RequestsSplit++;
            _result.BouncePasses += io.BouncePasses;
            _result.BytesBounced += io.BytesBounced;
            if (io.AlignmentOffset != 0) _result.MisalignedOperations++;
            if (!io.Success) _result.Errors++;

            switch (io.Kind)
            {
                case WorkloadIoKind.Write:
                    _result.Writes++;
                    if (io.Success) _result.BytesWritten += io.Length;
                    if (_map != null)
                    {
                        if (io.Success) _map.WriteCompleted(io.Sector512, io.Sectors512, io.Generation);
                        else _map.WriteFailed(io.Sector512, io.Sectors512, io.Generation);
                    }
                    break;
                case WorkloadIoKind.Read:
                    _result.Reads++;
                    if (io.Success)
                    {
                        _result.BytesRead += io.Length;
                        if (_map != null) VerifyRead(io);
                    }
                    break;
                default:
                    _result.Flushes++;
                    if (io.Success && io.Generation > _result.DurableGeneration) _result.DurableGeneration = io.Generation;
                    break;
            }

            io.Busy = false;
            _outstanding--;
            _completed++;
            _options.Faults?.Sync();
            _options.OnCompletion?.Invoke(_completed);
            if (_options.Progress != null && _options.ProgressEvery > 0 && _completed % _options.ProgressEvery == 0)
            {
                _options.Progress.Report(new WorkloadProgress(_spec.Name, _completed, _spec.Count,
                    (now - _startTicks) / (double)TimeSpan.TicksPerSecond, _spec.Count == 0 || _spec.StopAtDuration ? _spec.Duration.TotalSeconds : 0, _result.Errors, _result.ViolationCount));
            }
        }

        private void VerifyRead(WorkloadIo io)
        {
            var data = io.Data;
            for (int s = 0; s < io.Sectors512; s++)
            {
                long sector = io.Sector512 + s;
                var check = BlockHeader.Check(data.Slice(s * 512, 512), _spec.Seed, out long foundSector, out ulong foundGen);
                var kind = _map!.Judge(sector, check, foundSector, foundGen, _spec.AssumeZeroedDisk);
                if (kind == null) continue;
                _result.ViolationCount++;
                _violationCounts[(int)kind.Value]++;
                if (_violations.Count < _options.MaxViolationsListed)
                    _violations.Add(new IntegrityViolation(kind.Value, sector, _map.Floor(sector), foundGen, foundSector, _scheduler.Now, io.OpIndex));
            }
        }

        private int RoundUp(int bytes) => (bytes + _lss - 1) / _lss * _lss;
    }
}
