using XenVbd.Device;
using XenVbd.Frontend;

namespace XenVbd.Bench
{
    /// <summary>One whole-stack measurement: what SRBs to send and on what device.</summary>
    internal sealed class StackScenario
    {
        public StackScenario(string name, int blockBytes, int alignment, bool write, bool sequential, BounceStrategyKind bounce = BounceStrategyKind.PerSrb,
            int queueDepth = 8, int ringPageOrder = 0, long diskBytes = 64L << 20, int maxIndirectSegments = 0)
        {
            Name = name;
            BlockBytes = blockBytes;
            Alignment = alignment;
            Write = write;
            Sequential = sequential;
            Bounce = bounce;
            QueueDepth = queueDepth;
            RingPageOrder = ringPageOrder;
            DiskBytes = diskBytes;
            MaxIndirectSegments = maxIndirectSegments;
        }

        public string Name { get; }
        public int BlockBytes { get; }
        public int Alignment { get; }
        public bool Write { get; }
        public bool Sequential { get; }
        public BounceStrategyKind Bounce { get; }
        public int QueueDepth { get; }
        public int RingPageOrder { get; }
        public long DiskBytes { get; }
        public int MaxIndirectSegments { get; }

        // The hardened design: the bounce strategy each row names is its to choose (a real driver's personality has its own).
        public VbdDeviceOptions Options() => new VbdDeviceOptions
        {
            Personality = FrontendPersonality.Hardened,
            Name = Name,
            SizeBytes = DiskBytes,
            Bounce = Bounce,
            MaxRingPageOrder = RingPageOrder,
            MaxIndirectSegments = MaxIndirectSegments,
            FeatureDiscard = false,
            QueueDepth = System.Math.Max(64, QueueDepth),
            GuestBufferBytes = System.Math.Max(8 << 20, 2 * QueueDepth * (BlockBytes + 8192) + (4 << 20)),
        };
    }
}
