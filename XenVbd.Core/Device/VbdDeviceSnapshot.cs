using System;
using System.Linq;
using XenVbd.Sim;

namespace XenVbd.Device
{
    /// <summary>
    /// A connected device's state, kept so that the same device can be put back to it: after a case has run on
    /// it, <see cref="Restore()"/> returns every object of the device (host, scheduler and its random source,
    /// XenStore, grant tables, the frontend, blkback, the disk, guest memory) to what it was when the snapshot
    /// was taken, in place, without building anything. A case run on a restored device sees exactly what it
    /// would on a freshly created and connected one (the restore tests compare responses, trace, statistics,
    /// disk bytes and XenStore); building and connecting costs the handshake, the probe and a few hundred
    /// allocations, a restore copies fields back.
    /// </summary>
    /// <remarks>
    /// Take the snapshot right after <see cref="VbdDevice.Create"/> (or after <see cref="VbdDevice.Connect"/>),
    /// before faults or workloads are attached: what a snapshot holds must be plain objects (no file handles,
    /// threads or tasks; a device on an image file or a shared-memory file is refused). <see cref="Restore(ulong)"/>
    /// also gives the device another seed, as if it had been created with it, when the handshake drew nothing
    /// from the random source (<see cref="CanReseed"/>). A device and its snapshot are driven from one thread at
    /// a time, like any device.
    /// </remarks>
    public sealed class VbdDeviceSnapshot
    {
        private readonly ObjectGraphSnapshot _graph;
        private readonly SimRandom _random;

        private VbdDeviceSnapshot(VbdDevice device, ObjectGraphSnapshot graph)
        {
            Device = device;
            _graph = graph;
            _random = device.Host.Scheduler.Random;
            Seed = _random.Seed;
            // Reseeding replaces the root random source by a fresh one: exact only if nothing was drawn from it
            // yet and no stream was forked from it (a fork keeps the old seed's sequence).
            CanReseed = graph.LiveOf<SimRandom>().Count() == 1 && ObjectGraphSnapshot.FieldsEqual(_random, new SimRandom(Seed));
        }

        /// <summary>The device this snapshot restores.</summary>
        public VbdDevice Device { get; }

        /// <summary>The seed the device had when the snapshot was taken.</summary>
        public ulong Seed { get; }

        /// <summary>Whether <see cref="Restore(ulong)"/> may give the device another seed.</summary>
        public bool CanReseed { get; }

        /// <summary>Objects and arrays a restore puts back.</summary>
        public int ObjectCount => _graph.ObjectCount;

        /// <summary>Roughly the managed bytes the snapshot's copies hold.</summary>
        public long ApproximateBytes => _graph.ApproximateBytes;

        /// <summary>How many times the device was restored.</summary>
        public long Restores { get; private set; }

        /// <summary>Takes a snapshot of a connected device.</summary>
        public static VbdDeviceSnapshot Capture(VbdDevice device)
        {
            if (device == null) throw new ArgumentNullException(nameof(device));
            using var use = device.Use();
            if (!device.IsConnected) throw new InvalidOperationException("The device '" + device.Name + "' is not connected: a snapshot is of a connected device (create it with VbdDevice.Create, or Connect it first).");
            if (device.Options.ImagePath != null)
                throw new NotSupportedException("The device '" + device.Name + "' is on the image file '" + device.Options.ImagePath + "': a snapshot covers only the in-memory disk, since the file's bytes are outside the process.");
            if (device.Host.Scheduler.StopToken.CanBeCanceled)
                throw new InvalidOperationException("The device '" + device.Name + "' has a stop token set: clear Host.Scheduler.StopToken before taking a snapshot.");
            return new VbdDeviceSnapshot(device, ObjectGraphSnapshot.Capture(device));
        }

        /// <summary>Puts the device back to the moment of the snapshot (same seed).</summary>
        public void Restore()
        {
            using var use = Device.Use();
            _graph.Restore();
            Restores++;
        }

        /// <summary>
        /// Puts the device back to the moment of the snapshot with the random source of <paramref name="seed"/>,
        /// as <see cref="VbdDevice.Create"/> with that seed would have left it.
        /// </summary>
        public void Restore(ulong seed)
        {
            if (seed != Seed && !CanReseed)
                throw new InvalidOperationException("This snapshot cannot take another seed: the device drew from its random source (or forked a stream) while connecting, so seed " + seed + " would not replay what a fresh device with it does. Create the device with that seed instead.");
            using var use = Device.Use();
            _graph.Restore();
            if (seed != Seed)
            {
                ObjectGraphSnapshot.CopyFields(new SimRandom(seed), _random);
                Device.LiveOptions.Seed = seed;
            }
            Restores++;
        }
    }
}
