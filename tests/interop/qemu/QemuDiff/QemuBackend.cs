using System;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using XenVbd.Transport;

namespace XenVbd.Interop.QemuDiff
{
    /// <summary>
    /// The real QEMU (xen-disk) as a pure PV backend: the Xen stand-in preloaded, the shared-memory file named
    /// in XENVBD_SHM, the image as a raw drive with discard=unmap. Runs under `timeout`, stopped by its pid.
    /// </summary>
    public sealed class QemuBackend : IBackendUnderTest
    {
        private readonly string _qemu;
        private readonly string _standin;
        private readonly StringBuilder _log = new StringBuilder();
        private Process? _process;

        public QemuBackend(string qemu, string standin)
        {
            _qemu = qemu;
            _standin = standin;
        }

        public string Name => "QEMU";

        public string Log
        {
            get { lock (_log) return _log.ToString(); }
        }

        public void Start(SharedMemoryFile file, string imagePath)
        {
            var psi = new ProcessStartInfo("timeout")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in new[]
            {
                "-k", "5", "120", _qemu, "-M", "xenpv", "-xen-domid", "1", "-xen-attach", "-nographic", "-display", "none",
                "-monitor", "none", "-serial", "none", "-parallel", "none", "-nodefaults",
                "-drive", "if=none,id=d0,file=" + imagePath + ",format=raw,cache=writeback,discard=unmap",
                "-device", "xen-disk,vdev=xvda,drive=d0",
            }) psi.ArgumentList.Add(a);
            psi.Environment["XENVBD_SHM"] = file.Path;
            psi.Environment["XENVBD_SHM_WAIT_MS"] = "30000";
            psi.Environment["LD_PRELOAD"] = _standin;
            var p = new Process { StartInfo = psi };
            p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (_log) _log.AppendLine(e.Data); };
            p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (_log) _log.AppendLine(e.Data); };
            p.Start();
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            _process = p;
        }

        public void Pump()
        {
            if (_process != null && _process.HasExited) throw new InvalidOperationException("QEMU exited (status " + _process.ExitCode + "): " + LastLines());
            Thread.Sleep(0);
        }

        public void Stop()
        {
            var p = _process;
            if (p == null) return;
            _process = null;
            if (!p.HasExited)
            {
                // As a toolstack stops it: SIGTERM to the pid (timeout passes it on to QEMU).
                _ = kill(p.Id, 15);
                if (!p.WaitForExit(10_000)) p.Kill(entireProcessTree: true);
            }
            p.WaitForExit();
            p.Dispose();
        }

        public void Dispose() => Stop();

        private string LastLines()
        {
            var lines = Log.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return string.Join(" | ", lines[Math.Max(0, lines.Length - 4)..]);
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int kill(int pid, int sig);
    }
}
