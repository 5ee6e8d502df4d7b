using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using XenVbd.Backend;
using XenVbd.Ring;

namespace XenVbd.Interop.RealFront
{
    /// <summary>
    /// Watches every request blkback consumes (the fault lab's interceptor seam, changing nothing) and
    /// keeps what a reader of the frontend's code wants to see: operations in order of first use, request
    /// sizes, the largest request, and whether any request was indirect.
    /// </summary>
    internal sealed class RequestLog : IBackendInterceptor
    {
        private readonly SortedDictionary<ulong, long> _sizes = new SortedDictionary<ulong, long>();
        private readonly List<byte> _opsInOrder = new List<byte>();

        public ulong LargestRequestSectors { get; private set; }

        public long Requests { get; private set; }

        public long Indirect { get; private set; }

        public void OnRequest(BlkBack backend, ref BackendRequestPlan plan)
        {
            Requests++;
            if (!_opsInOrder.Contains(plan.Operation)) _opsInOrder.Add(plan.Operation);
            if (plan.Operation == BlkifOp.Indirect) Indirect++;
            if (plan.IoOperation == BlkifOp.Read || plan.IoOperation == BlkifOp.Write)
            {
                _sizes[plan.SectorCount] = _sizes.TryGetValue(plan.SectorCount, out long n) ? n + 1 : 1;
                if (plan.SectorCount > LargestRequestSectors) LargestRequestSectors = plan.SectorCount;
            }
        }

        public string OperationsInOrder => string.Join(", ", _opsInOrder.Select(BlkifOp.Name));

        public string SizeHistogram => string.Join(" ", _sizes.Select(kv => kv.Key.ToString(CultureInfo.InvariantCulture) + "x" + kv.Value.ToString(CultureInfo.InvariantCulture)));
    }
}
