using System;
using System.Runtime.InteropServices;

namespace XenVbd.Bench
{
    /// <summary>
    /// CPU time of the calling thread. On a shared machine wall-clock time also counts the time this
    /// thread sat descheduled behind other work (load averages of 10+ on 2 cores made the same
    /// scenario swing 2× between runs); CPU time counts only the work done, so ratios of two
    /// scenarios measured at different moments stay comparable. Linux reads
    /// CLOCK_THREAD_CPUTIME_ID; elsewhere the process's CPU time stands in (it also counts the
    /// runtime's background threads, which is small once the JIT has settled).
    /// </summary>
    internal static class ThreadCpu
    {
        private const int ClockThreadCpuTimeId = 3;

        [StructLayout(LayoutKind.Sequential)]
        private struct Timespec
        {
            public long Seconds;
            public long Nanoseconds;
        }

        [DllImport("libc", EntryPoint = "clock_gettime")]
        private static extern int ClockGetTime(int clockId, out Timespec time);

        /// <summary>Seconds of CPU this thread (or, off Linux, this process) has used.</summary>
        public static double Seconds()
        {
            if (OperatingSystem.IsLinux() && ClockGetTime(ClockThreadCpuTimeId, out var t) == 0)
                return t.Seconds + t.Nanoseconds / 1e9;
            return Environment.CpuUsage.TotalTime.TotalSeconds;
        }
    }
}
