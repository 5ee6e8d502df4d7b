using System;
using XenVbd.Xen;

namespace XenVbd.Frontend
{
    /// <summary>
    /// Request ids: a fixed table of shadows with a free list, as blkfront keeps. Everything — shadows,
    /// their grant refs, indirect pages — is claimed at construction; acquiring and releasing an id
    /// allocates nothing.
    /// </summary>
    internal sealed class ShadowTable
    {
        private readonly Shadow[] _shadows;
        private readonly int[] _free;
        private int _freeCount;

        public ShadowTable(int count, int segmentsPerShadow, int indirectPagesPerShadow, GrantTable grants, GuestMemory memory)
        {
            if (count <= 0) ThrowHelper.ThrowArgumentOutOfRange(nameof(count), count, "A shadow table needs at least one entry.");
            _shadows = new Shadow[count];
            _free = new int[count];
            for (int i = 0; i < count; i++)
            {
                var grefs = new uint[segmentsPerShadow];
                for (int g = 0; g < grefs.Length; g++) grefs[g] = grants.ClaimReference();
                var indirectGrefs = new uint[indirectPagesPerShadow];
                var indirectFrames = new uint[indirectPagesPerShadow];
                if (indirectPagesPerShadow > 0)
                {
                    uint first = memory.AllocatePages(indirectPagesPerShadow);
                    for (int p = 0; p < indirectPagesPerShadow; p++)
                    {
                        indirectGrefs[p] = grants.ClaimReference();
                        indirectFrames[p] = first + (uint)p;
                    }
                }

                _shadows[i] = new Shadow(i, grefs, indirectGrefs, indirectFrames);
            }

            // Hand out low ids first so traces read naturally (push in reverse onto the stack).
            for (int i = count - 1; i >= 0; i--) _free[_freeCount++] = i;
        }

        public int Count => _shadows.Length;

        public int FreeCount => _freeCount;

        public Shadow this[int id] => _shadows[id];

        public bool IsValidId(ulong id) => id < (ulong)_shadows.Length;

        public Shadow? TryAcquire()
        {
            if (_freeCount == 0) return null;
            var s = _shadows[_free[--_freeCount]];
            s.State = ShadowState.InFlight;
            s.TimeoutSeen = false;
            return s;
        }

        public void Release(Shadow shadow)
        {
            if (shadow.State == ShadowState.Free) ThrowHelper.ThrowInvalidOperation("Shadow " + shadow.Id + " is already free.");
            shadow.State = ShadowState.Free;
            shadow.Owner = null;
            shadow.Segments = 0;
            shadow.Bytes = 0;
            shadow.ActiveGrants = 0;
            shadow.ActiveIndirectGrants = 0;
            _free[_freeCount++] = shadow.Id;
        }

        public int CountIn(ShadowState state)
        {
            int n = 0;
            foreach (var s in _shadows) if (s.State == state) n++;
            return n;
        }

        public ReadOnlySpan<Shadow> All => _shadows;
    }
}
