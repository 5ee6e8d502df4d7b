using XenVbd.Ring;
using XenVbd.Sim;

namespace XenVbd.Frontend
{
    /// <summary>
    /// GPLPV's on-the-fly ABI detection. Zero the ring, put two requests with operation 0xff on it,
    /// push, notify. A backend of our layout answers both with EOPNOTSUPP echoing 0xff; a backend of
    /// the other layout reads slot 1 at its own stride, finds zeros (a READ with no segments) and
    /// answers ERROR echoing 0. The second response, read at our stride, tells which it was.
    /// </summary>
    public sealed partial class XenVbdFrontend
    {
        private long _probeStart;
        private int _probeRoundTrips;
        private long _verifyStart;

        public AbiProbeState ProbeState { get; private set; }

        /// <summary>The last probe's outcome (cached across reconnects until a new probe replaces it).</summary>
        public ProbeResult? ProbeResult { get; private set; }

        private void StartProbe()
        {
            var front = _front!;
            _state = FrontendState.Probing;
            _probeStart = _scheduler.Now;
            _probeRoundTrips = 0;
            Abi = _options.Abi;

            // Everything the probe does not write must read as zero to a backend of the other stride.
            front.Shared.ClearAll();
            for (int i = 0; i < 2; i++)
            {
                var slot = front.NextRequestSlot();
                slot.Clear();
                slot[BlkifLayout.OperationOffset] = BlkifOp.Probe;
                front.Produce();
            }

            _inFlight += 2;
            ProbeState = AbiProbeState.Detect1;
            Statistics.Probes++;
            _trace.Record(TraceKind.ProbeStep, DeviceId, (uint)ProbeState, (ulong)Abi);
            Notify();
            ArmWatchdog();
        }

        private void OnProbeResponse(in BlkifResponse rsp)
        {
            _inFlight--;
            if (ProbeState == AbiProbeState.Detect1)
            {
                // Slot 0 sits at offset 64 in both layouts, so the first answer says nothing yet.
                ProbeState = AbiProbeState.Detect2;
                _trace.Record(TraceKind.ProbeStep, DeviceId, (uint)ProbeState, rsp.Id, rsp.Status, rsp.Operation);
                return;
            }

            bool switched = rsp.Operation != BlkifOp.Probe;
            var startedWith = Abi;
            if (switched)
            {
                Abi = Abi.Other();
                _front!.SwitchAbi(Abi);
                Statistics.AbiSwitches++;
                _trace.Record(TraceKind.AbiSwitch, DeviceId, (uint)startedWith, (ulong)Abi);
            }

            ProbeState = AbiProbeState.Complete;
            _probeResultKept = true;
            ProbeResult = new ProbeResult(startedWith, Abi, switched, rsp.Operation, _probeStart, _scheduler.Now, _probeRoundTrips, Generation);
            _trace.Record(TraceKind.ProbeStep, DeviceId, (uint)ProbeState, (ulong)Abi, switched ? 1 : 0, rsp.Operation);
            BecomeReady();
        }

        /// <summary>
        /// Announce mode's guard: a Native backend of the other bitness ignores <c>protocol</c>, and
        /// nothing in the handshake shows it. One read of block 0 with an id whose halves differ does:
        /// read at the wrong offsets, the echoed id (or the operation) comes back wrong.
        /// </summary>
        private void StartVerify()
        {
            var front = _front!;
            _state = FrontendState.Verifying;
            _verifyStart = _scheduler.Now;
            Abi = _options.Abi;
            if (_grants.IsActive(_scratchGref) && !_grants.EndAccess(_scratchGref))
            {
                Statistics.GrantsStillMapped++;
                _scratchGref = _grants.ClaimReference();
            }

            // XSA-403: the page is zeroed before it is granted; the check read fills only its first sector.
            _memory.Page(_scratchFrame).Span.Clear();
            _grants.GrantAccess(_scratchGref, BackendDomainId, _scratchFrame, readOnly: false);
            var req = default(BlkifRequest);
            req.Operation = BlkifOp.Read;
            req.NrSegments = 1;
            req.Handle = (ushort)DeviceId;
            req.Id = VerifyRequestId;
            req.SectorNumber = 0;
            req.SetSegment(0, new BlkifSegment(_scratchGref, 0, (byte)(_disk!.LogicalBlockSize / BlkifLayout.SectorSize - 1)));
            BlkifCodec.WriteRequest(front.NextRequestSlot(), Abi, req);
            front.Produce();
            _inFlight++;
            Notify();
            ArmWatchdog();
        }

        private void OnVerifyResponse(in BlkifResponse rsp)
        {
            _inFlight--;
            if (!_grants.EndAccess(_scratchGref)) Statistics.GrantsStillMapped++;
            if (rsp.Id == VerifyRequestId && rsp.Operation == BlkifOp.Read)
            {
                BecomeReady();
                return;
            }

            Fail(FrontendState.LayoutMismatch,
                "announced " + _options.Abi.ToProtocolString() + " but the backend reads another layout (check read came back as id 0x"
                + rsp.Id.ToString("x") + " " + BlkifOp.Name(rsp.Operation) + "); this mode cannot switch — use Probe or AnnounceAndProbe");
        }
    }
}
