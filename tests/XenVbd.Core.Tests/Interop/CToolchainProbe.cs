using System;
using System.Diagnostics;
using System.IO;

namespace XenVbd.Tests.Interop
{
    /// <summary>
    /// Finds out by trying whether this machine can build and run C programs of one bitness: compiles a
    /// one-line program with <c>gcc -m32</c> or <c>-m64</c> and runs it, natively or under <c>qemu-i386</c>.
    /// Looking for files instead (stubs-32.h, libgcc) misses how a toolchain actually fails: on Debian 12
    /// without gcc-multilib the error is <c>bits/libc-header-start.h: No such file or directory</c>.
    /// A missing piece is a skip naming the package to install (<see cref="Missing"/>), or a failure
    /// when XENVBD_REQUIRE_INTEROP=1 (as .ci/run sets it). tests/interop/run.sh probes the same way.
    /// </summary>
    internal static class CToolchainProbe
    {
        private const string Program = "#include <stdio.h>\n#include <stdint.h>\nint main(void) { printf(\"%zu\\n\", sizeof(void *)); return 0; }\n";

        /// <summary>
        /// The command prefix that runs a <paramref name="bits"/>-bit program here: empty (natively) or
        /// <c>qemu-i386</c>. Throws the skip (or failure) that names what to install when there is none.
        /// </summary>
        public static string[] Runner(string gcc, int bits)
        {
            string dir = Path.Combine(Path.GetTempPath(), "xenvbd-probe-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                string source = Path.Combine(dir, "probe.c");
                string binary = Path.Combine(dir, "probe-m" + bits);
                File.WriteAllText(source, Program);
                var (status, _, error) = Run(gcc, "-m" + bits, "-o", binary, source);
                if (status != 0)
                {
                    string package = bits == 32 ? "gcc-multilib" : "libc6-dev";
                    throw Missing("gcc -m" + bits + " cannot build a one-line C program (apt-get install " + package + "): " + FirstError(error));
                }

                string expected = (bits / 8).ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (Prints(expected, binary)) return Array.Empty<string>();
                string? qemu = bits == 32 ? FindOnPath("qemu-i386") : null;
                if (qemu != null && Prints(expected, qemu, binary)) return new[] { qemu };
                throw Missing(bits == 32
                    ? "cannot run -m32 programs on this machine (no ia32 emulation in the kernel?): apt-get install qemu-user"
                    : "cannot run -m64 programs on this machine");
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        /// <summary>What a missing prerequisite becomes: a skip saying what is missing, or a failure when the suite is required.</summary>
        public static Exception Missing(string what)
        {
            if (Environment.GetEnvironmentVariable("XENVBD_REQUIRE_INTEROP") == "1")
                return new Xunit.Sdk.XunitException("XENVBD_REQUIRE_INTEROP=1 but the interop check cannot run: " + what);
            return new SkipException(what);
        }

        public static (int Status, string Output, string Error) Run(string file, params string[] args)
        {
            var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args) info.ArgumentList.Add(a);
            using var p = Process.Start(info) ?? throw new InvalidOperationException("Could not start " + file);
            var errorTask = p.StandardError.ReadToEndAsync();
            string output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, output, errorTask.GetAwaiter().GetResult());
        }

        public static string? FindOnPath(string name)
        {
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                string candidate = Path.Combine(dir, name);
                if (File.Exists(candidate)) return candidate;
            }
            return null;
        }

        private static bool Prints(string expected, string file, params string[] args)
        {
            try
            {
                var (status, output, _) = Run(file, args);
                return status == 0 && output.Trim() == expected;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return false; // exec format error: this kernel cannot run the binary
            }
        }

        private static string FirstError(string error)
        {
            foreach (string line in error.Split('\n'))
                if (line.Contains("error", StringComparison.OrdinalIgnoreCase)) return line.Trim();
            return error.Trim();
        }
    }
}
