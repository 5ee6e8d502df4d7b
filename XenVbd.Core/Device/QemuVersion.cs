using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace XenVbd.Device
{
    /// <summary>What <c>qemu --version</c> says, asked once per binary: "7.2.22" and the whole first line.</summary>
    public sealed class QemuVersion
    {
        private static readonly object Gate = new object();
        private static readonly Dictionary<string, QemuVersion> Known = new Dictionary<string, QemuVersion>(StringComparer.Ordinal);

        private QemuVersion(string line)
        {
            Line = line;
            var m = Regex.Match(line, @"version (\d+)\.(\d+)(?:\.(\d+))?");
            if (m.Success)
            {
                Major = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                Minor = int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
                Number = m.Value.Substring("version ".Length);
            }
            else
            {
                Number = "unknown";
            }
        }

        /// <summary>"7.2.22"; "unknown" when the binary did not say.</summary>
        public string Number { get; }

        public int Major { get; }

        public int Minor { get; }

        /// <summary>The first line of <c>--version</c>, e.g. "QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18)".</summary>
        public string Line { get; }

        public override string ToString() => Number;

        public static QemuVersion Of(string qemuPath)
        {
            lock (Gate)
            {
                if (Known.TryGetValue(qemuPath, out var known)) return known;
            }

            string line = "";
            var start = new ProcessStartInfo(qemuPath) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            ProcessArguments.Set(start, new[] { "--version" });
            using (var p = Process.Start(start))
            {
                if (p != null)
                {
                    var output = p.StandardOutput.ReadToEndAsync();
                    _ = p.StandardError.ReadToEndAsync();
                    if (p.WaitForExit(10_000))
                    {
                        string text = output.Result;
                        int nl = text.IndexOf('\n');
                        line = (nl >= 0 ? text.Substring(0, nl) : text).Trim();
                    }
                    else
                    {
                        try { p.Kill(); } catch (InvalidOperationException) { }
                    }
                }
            }

            var version = new QemuVersion(line);
            lock (Gate) Known[qemuPath] = version;
            return version;
        }
    }
}
