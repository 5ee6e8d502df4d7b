using System;
using System.Text;
using XenVbd.Device;
using XenVbd.Frontend;

namespace XenVbd.PowerShell
{
    /// <summary>
    /// Draws a ring snapshot as text for the default view of Get-VbdRing: one character per slot, 32 slots a
    /// row, with the producer and consumer positions marked underneath, so a person sees at a glance
    /// where the frontend will put the next request and which slots the backend still owes an answer for.
    /// </summary>
    public static class RingView
    {
        public const int SlotsPerRow = 32;

        /// <summary>The drawing, several lines, no trailing newline.</summary>
        public static string Draw(RingSnapshot ring)
        {
            if (ring is null) throw new ArgumentNullException(nameof(ring));
            int entries = Math.Max(1, ring.Size);
            uint mask = (uint)(entries - 1);
            var cells = new char[entries];
            for (int i = 0; i < entries; i++) cells[i] = '.';

            // Requests the frontend pushed and the backend has not answered: rsp_prod .. req_prod.
            for (uint idx = ring.RspProd; idx != ring.ReqProd && unchecked(ring.ReqProd - idx) <= (uint)entries; idx++)
            {
                cells[idx & mask] = 'R';
            }

            // Responses the backend produced and the frontend has not consumed yet: rsp_cons .. rsp_prod.
            for (uint idx = ring.RspCons; idx != ring.RspProd && unchecked(ring.RspProd - idx) <= (uint)entries; idx++)
            {
                cells[idx & mask] = 'r';
            }

            int inFlight = ring.InFlight.Count;
            var sb = new StringBuilder();
            sb.Append("Ring ").Append(ring.Abi).Append(": ").Append(1 << ring.RingPageOrder).Append(ring.RingPageOrder == 0 ? " page, " : " pages, ")
              .Append(entries).Append(" entries x ").Append(BlkifWire.EntryBytes(ring.Abi)).Append(" bytes, ").Append(inFlight).Append(" in flight").AppendLine();
            sb.Append("req_prod ").Append(ring.ReqProd).Append("  req_event ").Append(ring.ReqEvent)
              .Append("  rsp_prod ").Append(ring.RspProd).Append("  rsp_event ").Append(ring.RspEvent)
              .Append("  rsp_cons ").Append(ring.RspCons).AppendLine();

            int producer = (int)(ring.ReqProd & mask);
            int consumer = (int)(ring.RspCons & mask);
            for (int row = 0; row * SlotsPerRow < entries; row++)
            {
                int first = row * SlotsPerRow;
                int count = Math.Min(SlotsPerRow, entries - first);
                sb.Append("  ").Append(first.ToString().PadLeft(3)).Append(" |").Append(cells, first, count).Append('|').AppendLine();
                if ((producer >= first && producer < first + count) || (consumer >= first && consumer < first + count))
                {
                    var marks = new char[count];
                    for (int i = 0; i < count; i++) marks[i] = ' ';
                    if (producer >= first && producer < first + count) marks[producer - first] = 'P';
                    if (consumer >= first && consumer < first + count) marks[consumer - first] = producer == consumer ? '*' : 'C';
                    sb.Append("       ").Append(marks).AppendLine();
                }
            }

            sb.Append("  R = request waiting for the backend, r = response not yet consumed, . = free;")
              .AppendLine()
              .Append("  P = req_prod (next request goes here), C = rsp_cons (next response read here), * = both");
            return sb.ToString();
        }
    }
}
