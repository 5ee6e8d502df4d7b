using System;
using XenVbd.Backend;
using XenVbd.Frontend;

namespace XenVbd.Reliability
{
    /// <summary>
    /// The rogue backend's say over each response: blkback consumes and executes every request (so the
    /// disk and the data pages are real) and asks this interceptor, which takes one decision byte per
    /// consumed request. Most bytes mean an honest answer after some latency; the rest drop it, answer past
    /// the watchdog, fail it, or lie. Ids are chosen relative to what the frontend has pending, so a
    /// mutated id usually names a real request rather than nonsense.
    /// </summary>
    /// <remarks>
    /// Decision byte d: 0..143 honest after (d &amp; 15) × 0.2 ms; 144..159 dropped; 160..175 answered
    /// 1.5..3.4 timeouts late; 176..191 a non-OKAY status (request not executed); 192..195 duplicated;
    /// 196..199 id with its top bit flipped; 200..203 operation with bit 7 flipped; 204..211 rsp_prod
    /// jumps 1..48 slots (next byte) over stale slots; 212..223 the id of the k-th pending request, or with
    /// bit 7 of the next byte a raw id 0..127; 224..227 OKAY without doing the I/O; 228..255 honest at once.
    /// </remarks>
    public sealed class RogueResponsePlanner : IBackendInterceptor
    {
        public const byte Drop = 144, Late = 160, Status = 176, Duplicate = 192, CorruptId = 196, CorruptOperation = 200, Jump = 204, OtherId = 212, OkayLie = 224, HonestNow = 228;

        private static readonly short[] Statuses = { -1, -2, -1, 1, 2, -3, short.MinValue, short.MaxValue };

        private readonly byte[] _decisions;
        private readonly long _timeoutTicks;
        private int _at;

        public RogueResponsePlanner(byte[] decisions, long timeoutTicks)
        {
            _decisions = decisions;
            _timeoutTicks = timeoutTicks;
        }

        /// <summary>Set for the final settle: from then on every answer is honest.</summary>
        public bool Honest { get; set; }

        public XenVbdFrontend? Frontend { get; set; }

        /// <summary>Runs at every consumed request, before the decision (the harness's XSA-396 check).</summary>
        public Action? OnConsumed { get; set; }

        public long Consumed { get; private set; }

        public bool RogueSent { get; private set; }

        public bool UndetectableSent { get; private set; }

        public void OnRequest(BlkBack backend, ref BackendRequestPlan plan)
        {
            Consumed++;
            OnConsumed?.Invoke();
            if (Honest || _at >= _decisions.Length) return;
            byte d = _decisions[_at++];
            if (d < Drop) plan.ExtraLatencyTicks = (d & 15) * 2_000L;
            else if (d < Late) plan.DropResponse = true;
            else if (d < Status) plan.ExtraLatencyTicks = _timeoutTicks * 3 / 2 + (d & 15) * _timeoutTicks / 8;
            else if (d < Duplicate) plan.StatusOverride = Statuses[d & 7];
            else if (d < Jump)
            {
                // A frontend must reject each of these: the device goes Broken.
                RogueSent = true;
                if (d < CorruptId) plan.DuplicateResponse = true;
                else if (d < CorruptOperation) plan.CorruptId = true;
                else plan.CorruptOperation = true;
            }
            else if (d < OtherId)
            {
                UndetectableSent = true;
                plan.RspProdJump = (ushort)(1 + Next() % 48);
            }
            else if (d < OkayLie)
            {
                UndetectableSent = true;
                plan.IdOverride = PickId(Next());
            }
            else if (d < HonestNow)
            {
                // Undetectable by any frontend (the request is not executed, the answer says it was).
                UndetectableSent = true;
                plan.StatusOverride = 0;
            }
        }

        private byte Next() => _at < _decisions.Length ? _decisions[_at++] : (byte)0;

        /// <summary>The k-th request the frontend has pending (orphans included), or a raw small id.</summary>
        private ulong PickId(byte arg)
        {
            var ring = Frontend?.GetRing();
            if ((arg & 0x80) != 0 || ring == null || ring.InFlight.Count == 0) return (ulong)(arg & 0x7F);
            return (ulong)ring.InFlight[arg % ring.InFlight.Count].Id;
        }
    }
}
