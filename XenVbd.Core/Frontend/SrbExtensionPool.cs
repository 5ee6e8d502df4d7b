using XenVbd.Scsi;

namespace XenVbd.Frontend
{
    /// <summary>
    /// The SRB extensions, one per queue slot, created with the frontend so accepting an SRB allocates nothing
    /// (win-xenvbd keeps the same state in the SRB extension, srbext.h). An extension is Free, Active (it carries an
    /// SRB) or Draining (its SRB was completed but requests it issued are still out, or the backend still maps its
    /// bounce pages).
    /// </summary>
    internal sealed class SrbExtensionPool
    {
        /// <summary>The frontend that owns the pool (virtual time, the connection generation, the bounce strategy).</summary>
        private readonly XenVbdFrontend _f;

        /// <summary>Every extension, indexed by <see cref="SrbExtension.Index"/>.</summary>
        private readonly SrbExtension[] _extensions;

        /// <summary>A stack of free extension indexes; the first <see cref="_freeCount"/> entries are valid.</summary>
        private readonly int[] _free;

        /// <summary>Extensions on the free stack.</summary>
        private int _freeCount;

        public SrbExtensionPool(XenVbdFrontend frontend, int queueDepth)
        {
            _f = frontend;
            _extensions = new SrbExtension[queueDepth];
            _free = new int[queueDepth];
            // Room for the UNMAP descriptors the disk advertises (the frontend's ScsiDiskInfo keeps the default limit).
            for (int i = queueDepth - 1; i >= 0; i--)
            {
                _extensions[i] = new SrbExtension(i, ScsiDiskInfo.DefaultMaxUnmapDescriptors);
                _free[_freeCount++] = i;
            }
        }

        /// <summary>Every extension (an array, so a foreach over it allocates nothing).</summary>
        public SrbExtension[] All => _extensions;

        public int FreeCount => _freeCount;

        /// <summary>Extensions held by an SRB that has not completed: neither free nor draining.</summary>
        public int InUseByLiveSrbs
        {
            get
            {
                int draining = 0;
                foreach (var e in _extensions) if (e.State == ExtensionState.Draining) draining++;
                return _extensions.Length - _freeCount - draining;
            }
        }

        public bool TryAcquire(out SrbExtension extension)
        {
            if (_freeCount == 0)
            {
                extension = null!;
                return false;
            }

            extension = _extensions[_free[--_freeCount]];
            extension.Reset();
            extension.State = ExtensionState.Active;
            return true;
        }

        /// <summary>Gives an extension back, or parks it in Draining while the backend still maps its bounce pages.</summary>
        public void Free(SrbExtension extension)
        {
            if (extension.QuarantinedParts > 0)
            {
                // XSA-396: the backend still maps bounce pages this extension holds. Handing them (or, for
                // PerSrb, the slot that owns them) to another SRB would let the backend write into that SRB's
                // data, so the extension parks in Draining until the granter sees the grants end.
                extension.Srb = null;
                extension.InQueue = false;
                MarkDraining(extension);
                return;
            }

            if (extension.HoldsBounce) _f.Bounce.Release(extension);
            extension.Reset();
            extension.State = ExtensionState.Free;
            _free[_freeCount++] = extension.Index;
        }

        /// <summary>The SRB is gone but parts are still out: remember since when and on which connection (forced-reconnect bound).</summary>
        public void MarkDraining(SrbExtension extension)
        {
            if (extension.State == ExtensionState.Draining) return;
            extension.State = ExtensionState.Draining;
            extension.DrainingSince = _f.Scheduler.Now;
            extension.DrainingGeneration = _f.Generation;
        }
    }
}
