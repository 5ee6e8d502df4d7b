#if NET
using System;
#endif
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
#if NET
using System.IO;
#endif

namespace XenVbd.Storage
{
    /// <summary>
    /// Who holds an image file's lock, for the <see cref="StorageError.ImageLocked"/> message. .NET takes
    /// an image's FileShare lock on Linux with flock(2) (LOCK_EX for a writer, LOCK_SH for a reader), and
    /// flock locks cannot be asked about with fcntl(F_GETLK); the kernel lists them in /proc/locks with the
    /// pid that took them and the file's inode. The path is matched through the holders' open descriptors
    /// (/proc/&lt;pid&gt;/fd), which also tells a lock this process holds from another's. Elsewhere (Windows,
    /// macOS) and where /proc is not readable the holder stays unknown.
    /// </summary>
    public readonly struct ImageLockHolder
    {
#if NET
        // Only the /proc reader (.NET, Linux) finds holders; elsewhere the holder stays unknown.
        private ImageLockHolder(int processId, string? processName)
        {
            ProcessId = processId;
            ProcessName = processName;
        }
#endif

        /// <summary>The pid that took the lock.</summary>
        public int ProcessId { get; }

        /// <summary>The process's command name (/proc/&lt;pid&gt;/comm), when readable.</summary>
        public string? ProcessName { get; }

        /// <summary>True when the holder is the calling process (another device of this session has the image).</summary>
        public bool IsThisProcess => ProcessId == CurrentProcessId;

        private static int CurrentProcessId
        {
            get
            {
                using var self = Process.GetCurrentProcess();
                return self.Id;
            }
        }

        /// <summary>"this process (pid 123, pwsh)" or "process 456 (pwsh)".</summary>
        public override string ToString()
        {
            string name = string.IsNullOrEmpty(ProcessName) ? string.Empty : ", " + ProcessName;
            return IsThisProcess
                ? "this process (pid " + ProcessId.ToString(CultureInfo.InvariantCulture) + name + ")"
                : "process " + ProcessId.ToString(CultureInfo.InvariantCulture) + (name.Length == 0 ? string.Empty : " (" + ProcessName + ")");
        }

        /// <summary>The processes that hold a lock on <paramref name="fullPath"/>, found as described above; empty when unknown.</summary>
        public static IReadOnlyList<ImageLockHolder> Find(string fullPath)
        {
            var holders = new List<ImageLockHolder>();
#if NET
            try
            {
                if (!OperatingSystem.IsLinux() || !File.Exists("/proc/locks"))
                {
                    return holders;
                }

                var seen = new HashSet<int>();
                foreach (string line in File.ReadLines("/proc/locks"))
                {
                    // "1: FLOCK  ADVISORY  WRITE 4242 08:01:1234567 0 EOF" (a blocked waiter has "->" after the number).
                    string[] f = line.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
                    int at = Array.IndexOf(f, "FLOCK");
                    if (at < 0 || at + 3 >= f.Length || f[1] == "->" || !int.TryParse(f[at + 3], NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
                    {
                        continue;
                    }

                    if (seen.Add(pid) && HasOpen(pid, fullPath))
                    {
                        holders.Add(new ImageLockHolder(pid, CommandName(pid)));
                    }
                }
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                // /proc unreadable (a container, hidepid): the holder stays unknown, the error still says the image is locked.
            }
#else
            _ = fullPath;
#endif
            return holders;
        }

#if NET
        private static bool HasOpen(int pid, string fullPath)
        {
            string fds = "/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/fd";
            try
            {
                foreach (string fd in Directory.EnumerateFileSystemEntries(fds))
                {
                    if (string.Equals(new FileInfo(fd).LinkTarget, fullPath, StringComparison.Ordinal))
                    {
                        return true;
                    }
                }
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                // Another user's process: its descriptors are not ours to read.
            }

            return false;
        }

        private static string? CommandName(int pid)
        {
            try
            {
                return File.ReadAllText("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/comm").Trim();
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return null;
            }
        }
#endif
    }
}
