using System.Collections.Generic;
using XenVbd.Xen;

namespace XenVbd.Reliability
{
    /// <summary>What a rogue dom0 can reach: the guest's grants to it that it has not mapped yet.</summary>
    public static class Dom0Grants
    {
        public static List<uint> Unmapped(GrantTable grants)
        {
            var refs = new List<uint>();
            for (uint g = GrantTable.ReservedEntries; g < (uint)grants.Capacity; g++)
                if (grants.IsActive(g) && !grants.IsMapped(g) && grants.Domid(g) == 0) refs.Add(g);
            return refs;
        }
    }
}
