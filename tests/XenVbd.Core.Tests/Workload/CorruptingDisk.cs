using System;
using XenVbd.Storage;

namespace XenVbd.Tests.Workload
{
    /// <summary>How <see cref="CorruptingDisk"/> betrays the writes it is given.</summary>
    public enum Corruption
    {
        None,

        /// <summary>Acknowledge every Nth write without storing it.</summary>
        LoseWrites,

        /// <summary>Store only the first half of one sector of every Nth write; the rest keeps the old bytes.</summary>
        TearWrites,

        /// <summary>Store every Nth write one transfer further on.</summary>
        MisdirectWrites,

        /// <summary>Drop every Nth overwrite of data that is already there, so the old generation stays.</summary>
        StaleOverwrites,
    }

    /// <summary>A disk that lies on purpose, to prove the workload verifier catches each kind of lie.</summary>
    internal sealed class CorruptingDisk : BlockStorageDecorator
    {
        private readonly Corruption _mode;
        private readonly int _every;
        private long _writes;

        public CorruptingDisk(IBlockStorage inner, Corruption mode, int every = 7) : base(inner)
        {
            _mode = mode;
            _every = every;
        }

        public long Corrupted { get; private set; }

        protected override void WriteCore(long byteOffset, ReadOnlySpan<byte> source)
        {
            bool hit = _mode != Corruption.None && ++_writes % _every == 0;
            if (!hit)
            {
                Inner.Write(byteOffset, source);
                return;
            }
            switch (_mode)
            {
                case Corruption.LoseWrites:
                    Corrupted++;
                    return;
                case Corruption.TearWrites:
                {
                    var old = new byte[512];
                    Inner.Read(byteOffset, old);
                    var copy = source.ToArray();
                    Array.Copy(old, 256, copy, 256, 256);
                    Inner.Write(byteOffset, copy);
                    Corrupted++;
                    return;
                }
                case Corruption.MisdirectWrites:
                {
                    long target = byteOffset + source.Length;
                    if (target + source.Length <= Inner.SizeBytes)
                    {
                        Inner.Write(target, source);
                        Corrupted++;
                    }
                    else
                    {
                        Inner.Write(byteOffset, source);
                    }
                    return;
                }
                case Corruption.StaleOverwrites:
                {
                    var old = new byte[512];
                    Inner.Read(byteOffset, old);
                    if (Array.Exists(old, b => b != 0))
                    {
                        Corrupted++;
                        return;
                    }
                    Inner.Write(byteOffset, source);
                    return;
                }
            }
        }
    }
}
