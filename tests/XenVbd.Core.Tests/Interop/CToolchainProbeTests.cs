using System;
using System.IO;

namespace XenVbd.Tests.Interop
{
    /// <summary>
    /// The probe on a machine that lacks gcc-multilib, imitated by a gcc that fails -m32 the way Debian 12's
    /// does there: the result is a skip naming the package, not a failure and not a silent pass.
    /// </summary>
    public sealed class CToolchainProbeTests
    {
        [SkippableFact]
        public void A_gcc_without_multilib_is_a_skip_that_names_gcc_multilib()
        {
            if (OperatingSystem.IsWindows()) throw new SkipException("the stand-in compiler is a shell script");
            Skip.If(Environment.GetEnvironmentVariable("XENVBD_REQUIRE_INTEROP") == "1", "XENVBD_REQUIRE_INTEROP=1 turns the skip into a failure by design");
            string dir = Path.Combine(Path.GetTempPath(), "xenvbd-fakegcc-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                string gcc = Path.Combine(dir, "gcc");
                File.WriteAllText(gcc, "#!/bin/sh\necho '/usr/include/stdio.h:27:10: fatal error: bits/libc-header-start.h: No such file or directory' >&2\nexit 1\n");
                File.SetUnixFileMode(gcc, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

                var ex = Assert.ThrowsAny<Exception>(() => CToolchainProbe.Runner(gcc, 32));
                Assert.IsType<SkipException>(ex);
                Assert.Contains("apt-get install gcc-multilib", ex.Message, StringComparison.Ordinal);
                Assert.Contains("bits/libc-header-start.h", ex.Message, StringComparison.Ordinal);
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        [SkippableFact]
        public void The_real_toolchain_either_runs_64_bit_programs_natively_or_says_why_not()
        {
            string? gcc = CToolchainProbe.FindOnPath("gcc");
            Skip.If(gcc == null, "gcc is not installed (apt-get install gcc)");
            Assert.Empty(CToolchainProbe.Runner(gcc!, 64));
        }
    }
}
