using System;
using System.Collections.Generic;
using XenVbd.Sim;

namespace XenVbd.Backend
{
    /// <summary>
    /// A host of guests and rings run in virtual time on the project's <see cref="Scheduler"/>, with every cost of
    /// <see cref="BackendServiceModel"/> and the resources real hosts contend for: each ring's backend thread (Linux
    /// runs one xen_blkif_schedule thread per ring), each guest's grant-table lock (held by grant map and unmap),
    /// the dom0 CPUs the threads and completions share, the device's queue, and each guest's CPUs. A request goes
    /// guest (submit and complete) → ring thread (map what the ring does not keep, dispatch) → device → completion
    /// (unmap what is not kept, TLB flush) → guest again: every ring stays full. Deterministic: no random draws; ties go
    /// to the lowest ring, round robin. Used to reproduce the published effects (<see cref="PublishedEffects"/>).
    /// <para>
    /// The trees of persistent grants here only fill (a grant is kept if the ring's tree has room when it is first
    /// mapped) and never purge: the scenarios keep at most a ring's worth of grants in use, fewer than 1056, so the
    /// engine's purge (<see cref="PersistentGrantCache"/>) would never remove one.
    /// </para>
    /// </summary>
    public sealed class ServiceTimeSimulation : ISimEventHandler
    {
        private const int StageGuest = 0;
        private const int StageThread = 1;
        private const int StageDevice = 2;
        private const int StageCompletion = 3;
        private const int StageCount = 4;

        private const int KindGuestDone = 1;
        private const int KindMapDone = 2;
        private const int KindThreadDone = 3;
        private const int KindDeviceDone = 4;
        private const int KindUnmapDone = 5;
        private const int KindCompletionDone = 6;

        private readonly ServiceTimeScenario _s;
        private readonly BackendServiceModel _m;
        private readonly Scheduler _scheduler = new Scheduler(1);
        private readonly int _rings;
        private readonly int _entries;
        private readonly int[] _jobRing;
        private readonly int[] _jobMaps;
        private readonly int[] _jobUnmaps;
        private readonly Queue<int>[][] _waiting;
        private readonly bool[] _threadBusy;
        private readonly bool[] _lockBusy;
        private readonly int[] _guestCpuFree;
        private readonly bool[][] _kept;
        private readonly int[] _keptCount;
        private int _cpuFree;
        private int _deviceFree;
        private int _roundRobin;

        // Measurement.
        private long _completed;
        private long _measureStart = -1;
        private long _measureEnd = -1;
        private long _maps;
        private long _unmaps;
        private readonly long[] _threadBusyTicks;
        private readonly long[] _lockBusyTicks;
        private readonly long[] _guestBusyTicks;
        private long _cpuBusyTicks;
        private long _deviceBusyTicks;

        private ServiceTimeSimulation(ServiceTimeScenario scenario)
        {
            _s = scenario;
            _m = scenario.Costs;
            _rings = scenario.Guests * scenario.QueuesPerGuest;
            _entries = scenario.RingEntries;
            int jobs = _rings * _entries;
            _jobRing = new int[jobs];
            _jobMaps = new int[jobs];
            _jobUnmaps = new int[jobs];
            _waiting = new Queue<int>[StageCount][];
            for (int st = 0; st < StageCount; st++)
            {
                _waiting[st] = new Queue<int>[_rings];
                for (int r = 0; r < _rings; r++) _waiting[st][r] = new Queue<int>(_entries);
            }
            _threadBusy = new bool[_rings];
            _lockBusy = new bool[scenario.Guests];
            _guestCpuFree = new int[scenario.Guests];
            for (int g = 0; g < scenario.Guests; g++) _guestCpuFree[g] = GuestCpus;
            _cpuFree = BackendCpus;
            _deviceFree = _m.DeviceQueueDepth > 0 ? _m.DeviceQueueDepth : int.MaxValue;
            _kept = new bool[_rings][];
            _keptCount = new int[_rings];
            int grefsPerRing = _entries * scenario.SegmentsPerRequest;
            for (int r = 0; r < _rings; r++) _kept[r] = new bool[grefsPerRing];
            _threadBusyTicks = new long[_rings];
            _lockBusyTicks = new long[scenario.Guests];
            _guestBusyTicks = new long[scenario.Guests];
            for (int j = 0; j < jobs; j++) _jobRing[j] = j / _entries;
        }

        private int GuestCpus => _m.GuestCpus > 0 ? _m.GuestCpus : _s.QueuesPerGuest;

        private int BackendCpus => _m.BackendCpus > 0 ? _m.BackendCpus : _rings;

        /// <summary>Runs <paramref name="scenario"/> until its measured requests are done; the same scenario gives the same result.</summary>
        public static ServiceTimeResult Run(ServiceTimeScenario scenario)
        {
            if (scenario is null) throw new ArgumentNullException(nameof(scenario));
            scenario.Validate();
            return new ServiceTimeSimulation(scenario).RunCore();
        }

        private ServiceTimeResult RunCore()
        {
            // The guest has filled every ring: each request starts at the backend.
            for (int j = 0; j < _jobRing.Length; j++) Enqueue(StageThread, j);
            StartWhatCan();
            long target = (long)_s.WarmUpRequests + _s.MeasuredRequests;
            while (_completed < target)
            {
                if (!_scheduler.RunNext())
                    throw new InvalidOperationException("The simulation stalled with " + _completed + " of " + target + " requests done (a resource with no capacity?).");
            }
            long ticks = _measureEnd - _measureStart;
            double seconds = ticks / (double)TimeSpan.TicksPerSecond;
            (string bottleneck, double utilisation) = Busiest(ticks);
            return new ServiceTimeResult
            {
                Scenario = _s,
                Requests = _s.MeasuredRequests,
                Ticks = ticks,
                Iops = ticks > 0 ? _s.MeasuredRequests / seconds : double.PositiveInfinity,
                OutstandingPerRing = _entries,
                MapsPerRequest = _maps / (double)_s.MeasuredRequests,
                UnmapsPerRequest = _unmaps / (double)_s.MeasuredRequests,
                Bottleneck = bottleneck,
                BottleneckUtilisation = utilisation,
            };
        }

        private bool Measuring => _measureStart >= 0 && _measureEnd < 0;

        public void OnSimEvent(int kind, long argument)
        {
            int job = (int)argument;
            int ring = _jobRing[job];
            int guest = ring / _s.QueuesPerGuest;
            switch (kind)
            {
                case KindGuestDone:
                    _guestCpuFree[guest]++;
                    Completed();
                    Enqueue(StageThread, job);
                    break;
                case KindMapDone:
                    // The maps are done: the lock goes, the thread goes on to dispatch.
                    _lockBusy[guest] = false;
                    _scheduler.Schedule(DispatchTicks(), this, KindThreadDone, job);
                    break;
                case KindThreadDone:
                    _threadBusy[ring] = false;
                    _cpuFree++;
                    Enqueue(StageDevice, job);
                    break;
                case KindDeviceDone:
                    if (_deviceFree != int.MaxValue) _deviceFree++;
                    if (_jobUnmaps[job] > 0) Enqueue(StageCompletion, job);
                    else Enqueue(StageGuest, job);
                    break;
                case KindUnmapDone:
                    _lockBusy[guest] = false;
                    _scheduler.Schedule(_m.TlbFlushTicks, this, KindCompletionDone, job);
                    break;
                case KindCompletionDone:
                    _cpuFree++;
                    Enqueue(StageGuest, job);
                    break;
            }
            StartWhatCan();
        }

        private long DispatchTicks() => _m.DispatchTicks + _m.DeviceCpuTicksPerSegment * _s.SegmentsPerRequest;

        private void Completed()
        {
            _completed++;
            if (_completed == _s.WarmUpRequests) _measureStart = _scheduler.Now;
            if (_completed == (long)_s.WarmUpRequests + _s.MeasuredRequests) _measureEnd = _scheduler.Now;
            if (_s.WarmUpRequests == 0 && _measureStart < 0) _measureStart = 0;
        }

        private void Enqueue(int stage, int job) => _waiting[stage][_jobRing[job]].Enqueue(job);

        /// <summary>Starts every waiting request whose resources are free: completions first, then the device, threads, guests.</summary>
        private void StartWhatCan()
        {
            bool started = true;
            while (started)
            {
                started = false;
                for (int stage = StageCompletion; stage >= StageGuest; stage--)
                {
                    for (int k = 0; k < _rings; k++)
                    {
                        int ring = (_roundRobin + k) % _rings;
                        var queue = _waiting[stage][ring];
                        while (queue.Count > 0 && TryStart(stage, queue.Peek()))
                        {
                            queue.Dequeue();
                            started = true;
                        }
                    }
                }
            }
            _roundRobin = (_roundRobin + 1) % _rings;
        }

        private bool TryStart(int stage, int job)
        {
            int ring = _jobRing[job];
            int guest = ring / _s.QueuesPerGuest;
            switch (stage)
            {
                case StageThread:
                {
                    if (_threadBusy[ring] || _cpuFree == 0) return false;
                    int maps = PlanGrants(job, ring);
                    if (maps > 0 && _lockBusy[guest]) return false;
                    CommitGrants(job, ring);
                    _threadBusy[ring] = true;
                    _cpuFree--;
                    long mapTicks = _m.GrantMapTicks * _jobMaps[job];
                    long total = mapTicks + DispatchTicks();
                    if (Measuring)
                    {
                        _threadBusyTicks[ring] += total;
                        _cpuBusyTicks += total;
                        _lockBusyTicks[guest] += mapTicks;
                    }
                    if (_jobMaps[job] > 0)
                    {
                        _lockBusy[guest] = true;
                        _scheduler.Schedule(mapTicks, this, KindMapDone, job);
                    }
                    else
                    {
                        _scheduler.Schedule(total, this, KindThreadDone, job);
                    }
                    return true;
                }
                case StageDevice:
                {
                    if (_deviceFree == 0) return false;
                    if (_deviceFree != int.MaxValue) _deviceFree--;
                    long t = _m.DeviceTicks(_s.SegmentsPerRequest);
                    if (Measuring) _deviceBusyTicks += t;
                    _scheduler.Schedule(t, this, KindDeviceDone, job);
                    return true;
                }
                case StageCompletion:
                {
                    if (_cpuFree == 0 || _lockBusy[guest]) return false;
                    _cpuFree--;
                    _lockBusy[guest] = true;
                    long unmap = _m.GrantUnmapTicks * _jobUnmaps[job];
                    if (Measuring)
                    {
                        _cpuBusyTicks += unmap + _m.TlbFlushTicks;
                        _lockBusyTicks[guest] += unmap;
                    }
                    _scheduler.Schedule(unmap, this, KindUnmapDone, job);
                    return true;
                }
                default:
                {
                    if (_guestCpuFree[guest] == 0) return false;
                    _guestCpuFree[guest]--;
                    long t = _m.GuestTicks(_s.SegmentsPerRequest, _s.PersistentGrants);
                    if (Measuring) _guestBusyTicks[guest] += t;
                    _scheduler.Schedule(t, this, KindGuestDone, job);
                    return true;
                }
            }
        }

        /// <summary>Maps this request's grants need: every grant without persistent grants; with them, those the ring does not keep yet.</summary>
        private int PlanGrants(int job, int ring)
        {
            int segments = _s.SegmentsPerRequest;
            if (!_s.PersistentGrants) return segments;
            int first = (job % _entries) * segments;
            int maps = 0;
            for (int i = 0; i < segments; i++) if (!_kept[ring][first + i]) maps++;
            return maps;
        }

        /// <summary>
        /// The request's grants: each slot of a ring reuses the same grants (blkfront takes them back from its queue's pool),
        /// so once a grant is kept it is a hit ever after; one the tree had no room for is mapped and unmapped each time.
        /// </summary>
        private void CommitGrants(int job, int ring)
        {
            int segments = _s.SegmentsPerRequest;
            int maps = 0, unmaps = 0;
            if (!_s.PersistentGrants)
            {
                maps = unmaps = segments;
            }
            else
            {
                int first = (job % _entries) * segments;
                for (int i = 0; i < segments; i++)
                {
                    if (_kept[ring][first + i]) continue;
                    maps++;
                    if (_keptCount[ring] < _s.MaxPersistentGrants)
                    {
                        _kept[ring][first + i] = true;
                        _keptCount[ring]++;
                    }
                    else
                    {
                        unmaps++;
                    }
                }
            }
            _jobMaps[job] = maps;
            _jobUnmaps[job] = unmaps;
            if (Measuring)
            {
                _maps += maps;
                _unmaps += unmaps;
            }
        }

        private (string, double) Busiest(long ticks)
        {
            if (ticks <= 0) return ("", 0);
            string name = "";
            double best = -1;
            void Consider(string what, double u)
            {
                if (u > best + 1e-9)
                {
                    best = u;
                    name = what;
                }
            }
            for (int r = 0; r < _rings; r++) Consider("ring thread", _threadBusyTicks[r] / (double)ticks);
            for (int g = 0; g < _s.Guests; g++) Consider("grant-table lock", _lockBusyTicks[g] / (double)ticks);
            Consider("dom0 CPUs", _cpuBusyTicks / ((double)ticks * BackendCpus));
            if (_m.DeviceQueueDepth > 0) Consider("device queue", _deviceBusyTicks / ((double)ticks * _m.DeviceQueueDepth));
            for (int g = 0; g < _s.Guests; g++) Consider("guest CPUs", _guestBusyTicks[g] / ((double)ticks * GuestCpus));
            // Nothing near saturation: the requests in flight (the ring's size) over the latency are what limit it.
            if (best < 0.9) return ("requests in flight (ring size)", Math.Min(1, best));
            return (name, Math.Min(1, best));
        }
    }
}
