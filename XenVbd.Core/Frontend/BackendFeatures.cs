using System;
using XenVbd.Ring;
using XenVbd.Xen;

namespace XenVbd.Frontend
{
    /// <summary>
    /// What the backend offers — flush, barrier, discard, indirect segments — as read from its XenStore directory at
    /// setup and at every Connected, and how the personality takes a refusal of one of them (the
    /// <see cref="FrontendBehaviours.FlushAnswers"/> seam): blkfront and the Xen Project driver withdraw a feature the
    /// backend answered EOPNOTSUPP to, each its own way.
    /// </summary>
    internal sealed class BackendFeatures
    {
        /// <summary>The frontend that owns this part (XenStore, the backend path, the options).</summary>
        private readonly XenVbdFrontend _f;

        public BackendFeatures(XenVbdFrontend frontend) => _f = frontend;

        /// <summary>feature-flush-cache, until the backend refuses a flush.</summary>
        public bool Flush { get; private set; }

        /// <summary>feature-barrier, until the backend refuses a barrier.</summary>
        public bool Barrier { get; private set; }

        /// <summary>feature-discard, until the backend refuses a discard.</summary>
        public bool Discard { get; private set; }

        /// <summary>The backend's feature-max-indirect-segments (0 if it offers none).</summary>
        public int BackendMaxIndirectSegments { get; private set; }

        /// <summary>Segments per request in use: 11, or the indirect limit both sides accept.</summary>
        public int SegmentsPerRequest { get; private set; } = BlkifLayout.MaxSegmentsPerRequest;

        /// <summary>
        /// Persistent grants in use: this frontend offers them and the backend's feature-persistent reads 1
        /// (blkfront_gather_backend_features: the parameter &amp;&amp; xenbus_read_unsigned(..., 0), kept in a one-bit field).
        /// </summary>
        public bool Persistent { get; private set; }

        /// <summary>Either way of making written data durable is offered.</summary>
        public bool CanFlush => Flush || Barrier;

        /// <summary>Reads the feature keys again (setup, and every Connected: a backend may change them).</summary>
        public void Read()
        {
            Flush = ReadFlag(BlkifKeys.FeatureFlushCache);
            Barrier = ReadFlag(BlkifKeys.FeatureBarrier);
            Discard = ReadFlag(BlkifKeys.FeatureDiscard);
            Persistent = _f.Ring.PersistentGrants != null && (_f.Store.ReadInt64OrDefault(BlkifKeys.Path(_f.BackendPath, BlkifKeys.FeaturePersistent), 0) & 1) != 0;
            BackendMaxIndirectSegments = (int)_f.Store.ReadInt64OrDefault(BlkifKeys.Path(_f.BackendPath, BlkifKeys.FeatureMaxIndirectSegments), 0);
            int limit = Math.Min(BackendMaxIndirectSegments, _f.Options.SegmentsPerShadow);
            SegmentsPerRequest = _f.Options.IndirectEnabled && limit > BlkifLayout.MaxSegmentsPerRequest ? limit : BlkifLayout.MaxSegmentsPerRequest;
        }

        /// <summary>A backend flag key: non-zero is on, absent is off.</summary>
        public bool ReadFlag(string key) => _f.Store.ReadInt64OrDefault(BlkifKeys.Path(_f.BackendPath, key), 0) != 0;

        /// <summary>
        /// A non-OK answer, as the personality takes it: true when the request counts as done (the feature is
        /// withdrawn instead), false when the SRB fails.
        /// </summary>
        public bool TakeNotOkay(byte op, short status, int segments)
        {
            bool flush = op == BlkifOp.FlushDiskCache || op == BlkifOp.WriteBarrier;
            switch (_f.Personality.FlushAnswers)
            {
                case FlushAnswerPolicy.Blkfront:
                    if (flush)
                    {
                        // blkif_interrupt: EOPNOTSUPP, or ERROR on an empty flush, is NOTSUPP and then OK; any failure
                        // turns flush and FUA off.
                        Flush = false;
                        Barrier = false;
                        return status == BlkifStatus.NotSupported || (status == BlkifStatus.Error && segments == 0);
                    }

                    if (op == BlkifOp.Discard && status == BlkifStatus.NotSupported) Discard = false;
                    return false;
                case FlushAnswerPolicy.XenProject:
                    if (status != BlkifStatus.NotSupported) return false;
                    // __BlkifRingCompleteResponse: FrontendRemoveFeature, and the SRB succeeds, whatever the operation.
                    if (op == BlkifOp.FlushDiskCache) Flush = false;
                    else if (op == BlkifOp.WriteBarrier) Barrier = false;
                    else if (op == BlkifOp.Discard) Discard = false;
                    return true;
                default:
                    if (status != BlkifStatus.NotSupported || !flush) return false;
                    // The hardened design: a backend that withdrew the feature; stop asking, the data is written.
                    if (op == BlkifOp.FlushDiskCache) Flush = false;
                    else Barrier = false;
                    return true;
            }
        }
    }
}
