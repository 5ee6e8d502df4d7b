using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading;
using XenVbd.Sim;
using XenVbd.Storage;
using XenVbd.Transport;
using XenVbd.Xen;

namespace XenVbd.Device
{
    /// <summary>
    /// A device's backend is a real QEMU (xen-disk) process: the frontend's machine is a <see cref="ShmFrontendHost"/>
    /// on a shared-memory file in a private temporary folder, and QEMU runs with the Xen stand-in preloaded on the same
    /// file, serving an image file (a temporary sparse one unless the caller names one).
    ///
    /// QEMU runs in real time, so this host ties the frontend's virtual clock to the wall clock with a pump: one
    /// scheduler event, always due at "now", that exchanges with the file (QEMU's keys, state and notifies in; the
    /// frontend's out) and then waits in real time until the next other event is due or QEMU sends something. Every
    /// loop that runs the scheduler (a device wait, a workload) therefore follows real time without knowing it, a 30 s
    /// watchdog still means 30 s, and every wait is bounded: <see cref="QemuOptions.Timeout"/>, then a
    /// <see cref="BackendTimeoutException"/>, and QEMU's exit is a <see cref="BackendProcessExitedException"/>.
    /// </summary>
    public sealed class QemuBackendHost : IVbdBackendHost, ISimEventHandler
    {
        private const int PumpEvent = 1;

        /// <summary>The longest one pump event waits in real time before it returns to the loop that runs it.</summary>
        private static readonly long SliceTicks = Stopwatch.Frequency / 500;

        /// <summary>How often the pump asks whether QEMU is still alive.</summary>
        private static readonly long HealthTicks = Stopwatch.Frequency / 10;

        private static int s_instances;

        private readonly QemuOptions _options;
        private readonly string _workDirectory;
        private readonly SharedMemoryFile _file;
        private readonly ShmFrontendHost _shm;
        private readonly QemuProcess _process;
        private readonly ImageFileDisk _served;
        private readonly long _origin;
        private readonly long _virtualOrigin;
        private readonly long _timeoutTicks;
        private readonly Func<bool> _whileWaiting;
        private Frontend.XenVbdFrontend? _frontend;
        private Func<bool>? _condition;
        private long _deadline;
        private long _lastPeerActivity;
        private long _lastHealthCheck;
        private bool _frontendStarted;
        private bool _shutDown;
        private bool _disposed;

        public QemuBackendHost(VbdDeviceOptions options, int frontendDomainId, int dataPages, int grantEntries)
        {
            if (options == null) throw new ArgumentNullException(nameof(options));
            _options = (options.Qemu ?? new QemuOptions()).Clone();
            _options.Validate();
            string vdev = VirtualDeviceName(options.DeviceId);
            CheckInstalled(_options.QemuPath);

            string standin = _options.StandinLibraryPath ?? throw new ArgumentException("QemuOptions.StandinLibraryPath must name the compiled Xen stand-in (XenStandinLibrary.Ensure builds it).", nameof(options));
            if (!File.Exists(standin)) throw new FileNotFoundException("The Xen stand-in library '" + standin + "' does not exist.", standin);
            Version = QemuVersion.Of(_options.QemuPath);
            _timeoutTicks = (long)(_options.Timeout.TotalSeconds * Stopwatch.Frequency);

            _workDirectory = Path.Combine(Path.GetTempPath(), "xenvbd-qemu-" + CurrentProcessId() + "-" + Interlocked.Increment(ref s_instances) + "-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            Directory.CreateDirectory(_workDirectory);
            try
            {
                OwnsImage = options.ImagePath == null;
                ImagePath = options.ImagePath != null ? Path.GetFullPath(options.ImagePath) : Path.Combine(_workDirectory, "disk.img");
                if (!File.Exists(ImagePath))
                {
                    // Sparse: only what is written takes space.
                    using var created = new FileStream(ImagePath, FileMode.CreateNew, FileAccess.ReadWrite);
                    created.SetLength(options.SizeBytes);
                }

                _file = SharedMemoryFile.Create(Path.Combine(_workDirectory, "ring.shm"), new SharedMemoryFileOptions
                {
                    Abi = options.FrontendAbi,
                    MaxRingPageOrder = options.MaxRingPageOrder,
                    DataPages = dataPages,
                    GrantEntries = grantEntries,
                    FrontendDomainId = frontendDomainId,
                });
                _shm = new ShmFrontendHost(_file, options.DeviceId, options.Seed);
                _served = ImageFileDisk.Open(ImagePath, readOnly: true, options.LogicalSectorSize, options.PhysicalSectorSize);
                _process = QemuProcess.Start(StartInfo(options, frontendDomainId, vdev, standin));
            }
            catch
            {
                _served?.Dispose();
                _shm?.Dispose();
                _file?.Dispose();
                TryDeleteDirectory(_workDirectory);
                throw;
            }

            _origin = Stopwatch.GetTimestamp();
            _virtualOrigin = Host.Scheduler.Now;
            _lastPeerActivity = _origin;
            _lastHealthCheck = _origin;
            _whileWaiting = () => _condition!() && Stopwatch.GetTimestamp() < _deadline;
            Host.Scheduler.Schedule(0, this, PumpEvent);
        }

        public VbdBackendKind Kind => VbdBackendKind.Qemu;

        public XenHost Host => _shm.Host;

        public Domain Guest => _shm.Guest;

        public string BackendPath => _shm.BackendPath;

        public string Description => "QEMU " + Version.Number + " (pid " + ProcessId + ")";

        public IBlockStorage? ServedStorage => _served;

        /// <summary>What the QEMU binary says it is.</summary>
        public QemuVersion Version { get; }

        /// <summary>The QEMU process's id: the device stops it by this id.</summary>
        public int ProcessId => _process.Id;

        public bool HasExited => _process.HasExited;

        /// <summary>The image file QEMU serves.</summary>
        public string ImagePath { get; }

        /// <summary>True when the image is the device's temporary one, removed with it.</summary>
        public bool OwnsImage { get; }

        public TimeSpan Timeout => _options.Timeout;

        /// <summary>Notifies QEMU sent and the frontend received, and the frontend's notifies to QEMU.</summary>
        public long EventsReceived => _shm.EventsReceived;

        public long EventsSent => _shm.EventsSent;

        /// <summary>The stand-in's delay schedule as QEMU got it (XENVBD_EVENT_SCHEDULE), or null.</summary>
        public string? EventSchedule => _options.DelayPercent > 0
            ? _options.DelaySeed.ToString(CultureInfo.InvariantCulture) + ":" + _options.DelayPercent.ToString(CultureInfo.InvariantCulture) + ":" + _options.DelayMaxMilliseconds.ToString(CultureInfo.InvariantCulture)
            : null;

        /// <summary>The last lines QEMU and the stand-in wrote.</summary>
        public string LastOutput => _process.Tail();

        public void Attach(Frontend.XenVbdFrontend frontend) => _frontend = frontend;

        /// <summary>Runs what fell due while nobody ran the scheduler (between two commands), so the clock reads the real time again.</summary>
        public void CatchUp()
        {
            if (!_disposed) Host.Scheduler.RunUntil(VirtualAt(Stopwatch.GetTimestamp()));
        }

        public bool RunWhile(Func<bool> condition, string waitingFor)
        {
            if (condition == null) throw new ArgumentNullException(nameof(condition));
            var outer = _condition;
            long outerDeadline = _deadline;
            _condition = condition;
            _deadline = Stopwatch.GetTimestamp() + _timeoutTicks;
            try
            {
                Host.Scheduler.RunWhile(_whileWaiting);
            }
            finally
            {
                _condition = outer;
                _deadline = outerDeadline;
            }

            if (!condition()) return true;
            if (Host.Scheduler.StopToken.IsCancellationRequested) return false;
            ThrowIfExited(waitingFor);
            throw new BackendTimeoutException(Description + " did not get the device past " + waitingFor + " within " + _options.Timeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)
                + " s (frontend " + (_frontend?.State.ToString() ?? "not started") + ", backend state " + _file.BackendState + ", " + (_frontend?.RequestsInFlight ?? 0) + " request(s) on the ring). "
                + "QEMU's last output: " + Summarise(LastOutput), _options.Timeout, waitingFor);
        }

        public void RunUntilIdle(Func<bool> frontendIdle) => RunWhile(() => !frontendIdle(), "the end of the work in flight");

        /// <summary>The XenBus close (the frontend Closing, then Closed, QEMU following), then QEMU is stopped by its pid.</summary>
        public void Shutdown()
        {
            if (_shutDown) return;
            _shutDown = true;
            try
            {
                if (!_process.HasExited && _shm.PeerFault == null)
                {
                    var wait = _options.Timeout < TimeSpan.FromSeconds(10) ? _options.Timeout : TimeSpan.FromSeconds(10);
                    _shm.Close(wait);
                }
            }
            finally
            {
                _process.Stop(TimeSpan.FromSeconds(5));
            }
        }

        public void Dispose()
        {
            if (_disposed) return;
            try
            {
                Shutdown();
            }
            finally
            {
                _disposed = true;
                _process.Dispose();
                _served.Dispose();
                _shm.Dispose();
                _file.Dispose();
                TryDeleteDirectory(_workDirectory);
            }
        }

        /// <summary>The pump (see the class summary).</summary>
        void ISimEventHandler.OnSimEvent(int kind, long argument)
        {
            if (_disposed) return;
            var scheduler = Host.Scheduler;
            long now = Stopwatch.GetTimestamp();
            if (!_frontendStarted)
            {
                // Nothing to exchange before the frontend writes its first state: the file already says Initialising
                // (as libxl's area does), and exporting the store's "no state yet" would tell QEMU Unknown, which it closes on.
                _frontendStarted = _frontend != null && Host.Store.Read(BlkifKeys.Path(_frontend.FrontendPath, BlkifKeys.State)) != null;
                if (!_frontendStarted)
                {
                    scheduler.ScheduleAt(Math.Max(scheduler.Now + 1, VirtualAt(now)), this, PumpEvent);
                    return;
                }
            }

            bool heard = _shm.Exchange();
            if (!heard)
            {
                long? next = scheduler.NextEventTime;
                long sliceEnd = now + SliceTicks;
                int idle = 0;
                while (true)
                {
                    long t = Stopwatch.GetTimestamp();
                    if (t >= sliceEnd || (next.HasValue && VirtualAt(t) >= next.Value) || scheduler.StopToken.IsCancellationRequested) break;
                    if (++idle < 16) Thread.Yield();
                    else Thread.Sleep(idle < 64 ? 0 : 1);
                    if (_shm.Exchange())
                    {
                        heard = true;
                        break;
                    }
                }
            }

            now = Stopwatch.GetTimestamp();
            // Nothing on the ring means nothing is owed: silence is only a stall while QEMU holds requests.
            if (heard || _frontend == null || _frontend.RequestsInFlight == 0) _lastPeerActivity = now;
            scheduler.ScheduleAt(Math.Max(scheduler.Now + 1, VirtualAt(now)), this, PumpEvent);
            if (_shutDown) return;
            if (now - _lastHealthCheck >= HealthTicks)
            {
                _lastHealthCheck = now;
                ThrowIfExited("the requests in flight");
            }

            if (now - _lastPeerActivity > _timeoutTicks)
            {
                _lastPeerActivity = now;   // one error per silent stretch, not one per event
                throw new BackendTimeoutException(Description + " has answered nothing for " + _options.Timeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s with "
                    + _frontend!.RequestsInFlight + " request(s) on the ring. QEMU's last output: " + Summarise(LastOutput), _options.Timeout, "a response");
            }
        }

        /// <summary>Throws <see cref="BackendPrerequisiteException"/> (naming the install command) when <paramref name="qemuPath"/> does not exist.</summary>
        public static void CheckInstalled(string qemuPath)
        {
            if (File.Exists(qemuPath)) return;
            throw new BackendPrerequisiteException("QEMU's Xen device model '" + qemuPath + "' is not installed: a device with a QEMU backend runs it (Debian's qemu-system-xen).",
                qemuPath, QemuOptions.QemuInstallCommand);
        }

        /// <summary>Linux's xvd naming: major 202, minor disk × 16 (whole disks only): 51712 is xvda.</summary>
        public static string VirtualDeviceName(int deviceId)
        {
            int disk = (deviceId & 0xFF) >> 4;
            if (deviceId >> 8 != 202 || (deviceId & 0xF) != 0 || disk >= 16)
                throw new ArgumentOutOfRangeException(nameof(deviceId), deviceId, "A QEMU backend serves a whole xvd disk: device id 202 × 256 + 16 × n (51712 = xvda ... 51952 = xvdp).");
            return "xvd" + (char)('a' + disk);
        }

        private ProcessStartInfo StartInfo(VbdDeviceOptions options, int frontendDomainId, string vdev, string standin)
        {
            var start = new ProcessStartInfo(_options.QemuPath) { WorkingDirectory = _workDirectory };
            string drive = "if=none,id=d0,file=" + ImagePath.Replace(",", ",,") + ",format=raw,cache=writeback"
                + (options.FeatureDiscard ? ",discard=unmap" : "") + (options.ReadOnly ? ",readonly=on" : "");
            ProcessArguments.Set(start, new[]
            {
                "-M", "xenpv", "-xen-domid", frontendDomainId.ToString(CultureInfo.InvariantCulture), "-xen-attach", "-nographic", "-display", "none",
                "-monitor", "none", "-serial", "none", "-parallel", "none", "-nodefaults", "-drive", drive, "-device", "xen-disk,vdev=" + vdev + ",drive=d0",
            });
            var env = start.Environment;
            foreach (string inherited in new List<string>(env.Keys))
            {
                // Only what this device asks for: a stray XENVBD_EVENT_DROP in the caller's environment would change the run.
                if (inherited.StartsWith("XENVBD_", StringComparison.Ordinal)) env.Remove(inherited);
            }

            env["LD_PRELOAD"] = standin;
            env["XENVBD_SHM"] = _file.Path;
            env["XENVBD_SHM_WAIT_MS"] = ((long)_options.Timeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
            env["XENVBD_VDEV"] = options.DeviceId.ToString(CultureInfo.InvariantCulture);
            env["XENVBD_PARENT_PID"] = CurrentProcessId().ToString(CultureInfo.InvariantCulture);
            if (EventSchedule != null) env["XENVBD_EVENT_SCHEDULE"] = EventSchedule;
            if (_options.NoGrantCopy) env["XENVBD_NO_GRANT_COPY"] = "1";
            return start;
        }

        private void ThrowIfExited(string waitingFor)
        {
            if (!_process.HasExited) return;
            throw new BackendProcessExitedException("QEMU " + Version.Number + " (pid " + _process.Id + ") exited with code " + _process.ExitCode + " while the device waited for " + waitingFor
                + ". Its last output: " + Summarise(LastOutput), _process.Id, _process.ExitCode, LastOutput);
        }

        private long VirtualAt(long stopwatch) => _virtualOrigin + (long)((stopwatch - _origin) * (10_000_000.0 / Stopwatch.Frequency));

        private static string Summarise(string output)
        {
            if (string.IsNullOrEmpty(output)) return "(none)";
            string one = output.Replace(Environment.NewLine, " | ");
            return one.Length > 600 ? "..." + one.Substring(one.Length - 600) : one;
        }

        private static int CurrentProcessId()
        {
#if NET
            return Environment.ProcessId;
#else
            using var p = Process.GetCurrentProcess();
            return p.Id;
#endif
        }

        private static void TryDeleteDirectory(string path)
        {
            try
            {
                if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
