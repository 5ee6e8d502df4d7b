using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;

namespace XenVbd.Device
{
    /// <summary>
    /// One QEMU process a device owns, kept by its pid and stopped by it. Three things make sure none outlives its owner:
    /// <see cref="Stop"/> (the device's close), a ProcessExit handler that stops every live one, and, for an owner
    /// killed outright, the Xen stand-in inside QEMU, which asks the kernel for SIGKILL when its parent dies
    /// (PR_SET_PDEATHSIG) and exits at once if the parent named in XENVBD_PARENT_PID is already gone.
    /// </summary>
    internal sealed class QemuProcess : IDisposable
    {
        private const int TailLines = 60;

        private static readonly object Gate = new object();
        private static readonly HashSet<QemuProcess> Live = new HashSet<QemuProcess>();
        private static readonly BlockingCollection<LaunchRequest> Launches = new BlockingCollection<LaunchRequest>();
        private static Thread? s_launcher;
        private static bool s_exitHooked;

        private readonly Process _process;
        private readonly Queue<string> _tail = new Queue<string>();
        private bool _stopped;

        private QemuProcess(Process process)
        {
            _process = process;
            Id = process.Id;
            _process.OutputDataReceived += OnLine;
            _process.ErrorDataReceived += OnLine;
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public int Id { get; }

        public bool HasExited
        {
            get
            {
                try
                {
                    return _process.HasExited;
                }
                catch (InvalidOperationException)
                {
                    return true;
                }
            }
        }

        public int ExitCode => HasExited ? _process.ExitCode : 0;

        /// <summary>Starts QEMU from the launcher thread (see <see cref="LauncherLoop"/>) and registers it for the exit handler.</summary>
        public static QemuProcess Start(ProcessStartInfo start)
        {
            start.UseShellExecute = false;
            start.RedirectStandardOutput = true;
            start.RedirectStandardError = true;
            start.RedirectStandardInput = false;
            var request = new LaunchRequest(start);
            lock (Gate)
            {
                if (!s_exitHooked)
                {
                    s_exitHooked = true;
                    AppDomain.CurrentDomain.ProcessExit += (sender, e) => StopAll();
                }

                if (s_launcher == null)
                {
                    s_launcher = new Thread(LauncherLoop) { IsBackground = true, Name = "XenVbd QEMU launcher" };
                    s_launcher.Start();
                }
            }

            Launches.Add(request);
            request.Done.Wait();
            if (request.Error != null) throw request.Error;
            var qemu = new QemuProcess(request.Process!);
            lock (Gate) Live.Add(qemu);
            return qemu;
        }

        /// <summary>The last lines QEMU and the stand-in wrote, for error messages.</summary>
        public string Tail()
        {
            lock (_tail) return string.Join(Environment.NewLine, _tail);
        }

        /// <summary>Stops QEMU by its pid (SIGKILL: its writes are in the page cache already, a completed flush is on disk) and reaps it.</summary>
        public void Stop(TimeSpan wait)
        {
            if (_stopped) return;
            _stopped = true;
            try
            {
                if (!_process.HasExited) _process.Kill();
                _process.WaitForExit((int)wait.TotalMilliseconds);
            }
            catch (InvalidOperationException)
            {
                // Already gone and reaped.
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Exited between the check and the kill.
            }
            finally
            {
                lock (Gate) Live.Remove(this);
            }
        }

        public void Dispose()
        {
            Stop(TimeSpan.FromSeconds(5));
            _process.Dispose();
        }

        private void OnLine(object sender, DataReceivedEventArgs e)
        {
            if (e.Data == null) return;
            lock (_tail)
            {
                _tail.Enqueue(e.Data);
                while (_tail.Count > TailLines) _tail.Dequeue();
            }
        }

        private static void StopAll()
        {
            QemuProcess[] live;
            lock (Gate)
            {
                live = new QemuProcess[Live.Count];
                Live.CopyTo(live);
            }

            foreach (var p in live) p.Stop(TimeSpan.FromSeconds(2));
        }

        /// <summary>
        /// Every QEMU is forked from this one thread, which lives as long as the process: Linux sends the parent-death
        /// signal when the forking THREAD ends, so a QEMU started from a pipeline thread that later ends (a runspace, a
        /// job) would be killed under a live owner.
        /// </summary>
        private static void LauncherLoop()
        {
            foreach (var request in Launches.GetConsumingEnumerable())
            {
                try
                {
                    request.Process = Process.Start(request.Start) ?? throw new InvalidOperationException("The process '" + request.Start.FileName + "' did not start.");
                }
                catch (Exception ex)
                {
                    request.Error = ex;
                }
                finally
                {
                    request.Done.Set();
                }
            }
        }

        private sealed class LaunchRequest
        {
            public LaunchRequest(ProcessStartInfo start) => Start = start;

            public ProcessStartInfo Start { get; }

            public ManualResetEventSlim Done { get; } = new ManualResetEventSlim();

            public Process? Process { get; set; }

            public Exception? Error { get; set; }
        }
    }
}
