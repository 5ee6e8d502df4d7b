using System;

namespace XenVbd.Device
{
    /// <summary>How a <see cref="VbdBackendKind.Qemu"/> device starts and waits for its QEMU process.</summary>
    public sealed class QemuOptions
    {
        /// <summary>Where Debian's qemu-system-xen installs the Xen device model (a 64-bit host program).</summary>
        public const string DefaultQemuPath = "/usr/libexec/xen-qemu-system-i386";

        /// <summary>What installs <see cref="DefaultQemuPath"/>.</summary>
        public const string QemuInstallCommand = "sudo apt-get install qemu-system-xen";

        /// <summary>The QEMU binary (a build with the Xen accelerator and xen-disk).</summary>
        public string QemuPath { get; set; } = DefaultQemuPath;

        /// <summary>The compiled Xen stand-in (libxen-standin.so) preloaded into QEMU; <see cref="XenStandinLibrary"/> builds it.</summary>
        public string? StandinLibraryPath { get; set; }

        /// <summary>
        /// The longest real time one wait (connect, one SRB, a close) may take before the device gives up with a
        /// <see cref="BackendTimeoutException"/>; also how long the backend may stay silent with requests on the ring.
        /// </summary>
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>Delayed responses: the stand-in delays this share (0..100 %) of event deliveries, both ways (0 = none).</summary>
        public int DelayPercent { get; set; }

        /// <summary>The longest delay, in milliseconds (1..1000), each delayed event gets 1..this.</summary>
        public int DelayMaxMilliseconds { get; set; } = 10;

        /// <summary>The seed of the stand-in's delay schedule (its own xorshift: the same seed, the same sequence of decisions).</summary>
        public uint DelaySeed { get; set; } = 1;

        /// <summary>The stand-in refuses QEMU's grant-copy probe, so QEMU maps each request's grants instead.</summary>
        public bool NoGrantCopy { get; set; }

        public QemuOptions Clone() => (QemuOptions)MemberwiseClone();

        /// <summary>Names the first bad option.</summary>
        public void Validate()
        {
            if (string.IsNullOrEmpty(QemuPath)) throw new ArgumentException("QemuPath must name the QEMU binary.", nameof(QemuPath));
            if (Timeout <= TimeSpan.Zero || Timeout > TimeSpan.FromHours(1)) throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, "Must be more than 0 and at most one hour.");
            if (DelayPercent < 0 || DelayPercent > 100) throw new ArgumentOutOfRangeException(nameof(DelayPercent), DelayPercent, "Must be 0..100 (percent of events delayed).");
            if (DelayMaxMilliseconds < 1 || DelayMaxMilliseconds > 1000) throw new ArgumentOutOfRangeException(nameof(DelayMaxMilliseconds), DelayMaxMilliseconds, "Must be 1..1000 ms.");
            if (DelaySeed == 0) throw new ArgumentOutOfRangeException(nameof(DelaySeed), DelaySeed, "The stand-in's xorshift needs a non-zero seed.");
        }
    }
}
