using XenVbd.Ring;
using XenVbd.Sim;

namespace XenVbd.Frontend
{
    /// <summary>
    /// GPLPV's on-the-fly ABI detection, and the hardened design's Announce-mode check read. The probe: zero the ring,
    /// put two requests with operation 0xff on it, push, notify. A backend of our layout answers both with EOPNOTSUPP
    /// echoing 0xff; a backend of the other layout reads slot 1 at its own stride, finds zeros (a READ with no segments)
    /// and answers ERROR echoing 0. The second response, read at our stride, tells which it was. When the probe runs,
    /// and whether its result is kept across a resume, is the personality's (<see cref="FrontendBehaviours.Probe"/>).
    /// </summary>
    internal sealed class AbiProbe
    {
        /// <summary>The frontend that owns this part.</summary>
        private readonly XenVbdFrontend _f;

        /// <summary>When the probe runs: the personality's, or under the hardened design the options' mode.</summary>
        private readonly ProbePolicy _policy;

        /// <summary>Announce mode checks the layout with one read of block 0 at connect (the hardened design only).</summary>
        private readonly bool _verifyLayout;

        /// <summary>The page the check read fills; zeroed before every grant (XSA-403).</summary>
        private readonly uint _scratchFrame;

        /// <summary>The check read's grant ref; replaced when the backend still maps it.</summary>
        private uint _scratchGref;

        /// <summary>A probe completed and its result is kept for later connections (GPLPV: <c>use_other</c> is never set back).</summary>
        private bool _resultKept;

        /// <summary>Interrupts taken while the probe was out (reported in <see cref="ProbeResult"/>).</summary>
        private int _roundTrips;

        public AbiProbe(XenVbdFrontend frontend, uint scratchFrame, uint scratchGref)
        {
            _f = frontend;
            var options = frontend.Options;
            var p = frontend.Personality;
            if (p.TakesAbiModeAndBounceFromOptions)
            {
                _policy = options.Mode == FrontendAbiMode.Announce ? ProbePolicy.Never : ProbePolicy.EveryConnect;
                _verifyLayout = options.Mode == FrontendAbiMode.Announce && options.VerifyLayoutOnConnect;
            }
            else
            {
                _policy = p.Probe;
                _verifyLayout = false;
            }

            _scratchFrame = scratchFrame;
            _scratchGref = scratchGref;
        }

        public AbiProbeState State { get; private set; }

        /// <summary>The last probe's outcome (cached across reconnects until a new probe replaces it).</summary>
        public ProbeResult? Result { get; private set; }

        /// <summary>Virtual time the probe (or the check read) went on the ring.</summary>
        public long StartTicks { get; private set; }

        public void CountRoundTrip() => _roundTrips++;

        /// <summary>The backend connected: probe, reuse the kept result, check the layout, or go Ready, as the personality does.</summary>
        public void RunAtConnect()
        {
            switch (_policy)
            {
                case ProbePolicy.EveryConnect:
                    StartProbe();
                    return;
                case ProbePolicy.OnceKeptAcrossResume:
                    if (!_resultKept)
                    {
                        StartProbe();
                        return;
                    }

                    // GPLPV after a resume: the ring is new but the layout is the one detected before, right or not.
                    _f.Abi = Result!.Detected;
                    if (_f.Abi != _f.Options.Abi) _f.Ring.Front.SwitchAbi(_f.Abi);
                    State = AbiProbeState.Complete;
                    _f.Statistics.KeptProbeResults++;
                    _f.Trace.Record(TraceKind.ProbeStep, _f.DeviceId, (uint)State, (ulong)_f.Abi, 2);
                    _f.XenBus.BecomeReady();
                    return;
            }

            if (_verifyLayout) StartVerify();
            else _f.XenBus.BecomeReady();
        }

        /// <summary>The ring is gone: the next connection starts from NotStarted (the kept result, if any, stays).</summary>
        public void OnDisconnect() => State = AbiProbeState.NotStarted;

        private void StartProbe()
        {
            var front = _f.Ring.Front;
            _f.TransitionTo(FrontendState.Probing);
            StartTicks = _f.Scheduler.Now;
            _roundTrips = 0;
            _f.Abi = _f.Options.Abi;

            // Everything the probe does not write must read as zero to a backend of the other stride.
            front.Shared.ClearAll();
            for (int i = 0; i < 2; i++)
            {
                var slot = front.NextRequestSlot();
                slot.Clear();
                slot[BlkifLayout.OperationOffset] = BlkifOp.Probe;
                front.Produce();
            }

            _f.Ring.CountUnshadowed(2);
            State = AbiProbeState.Detect1;
            _f.Statistics.Probes++;
            _f.Trace.Record(TraceKind.ProbeStep, _f.DeviceId, (uint)State, (ulong)_f.Abi);
            _f.Ring.Notify();
            _f.Watchdog.Arm();
        }

        public void OnProbeResponse(in BlkifResponse rsp)
        {
            _f.Ring.CountUnshadowed(-1);
            if (State == AbiProbeState.Detect1)
            {
                // Slot 0 sits at offset 64 in both layouts, so the first answer says nothing yet.
                State = AbiProbeState.Detect2;
                _f.Trace.Record(TraceKind.ProbeStep, _f.DeviceId, (uint)State, rsp.Id, rsp.Status, rsp.Operation);
                return;
            }

            bool switched = rsp.Operation != BlkifOp.Probe;
            var startedWith = _f.Abi;
            if (switched)
            {
                _f.Abi = startedWith.Other();
                _f.Ring.Front.SwitchAbi(_f.Abi);
                _f.Statistics.AbiSwitches++;
                _f.Trace.Record(TraceKind.AbiSwitch, _f.DeviceId, (uint)startedWith, (ulong)_f.Abi);
            }

            State = AbiProbeState.Complete;
            _resultKept = true;
            Result = new ProbeResult(startedWith, _f.Abi, switched, rsp.Operation, StartTicks, _f.Scheduler.Now, _roundTrips, _f.Generation);
            _f.Trace.Record(TraceKind.ProbeStep, _f.DeviceId, (uint)State, (ulong)_f.Abi, switched ? 1 : 0, rsp.Operation);
            _f.XenBus.BecomeReady();
        }

        /// <summary>
        /// Announce mode's guard: a Native backend of the other bitness ignores <c>protocol</c>, and nothing in the
        /// handshake shows it. One read of block 0 with an id whose halves differ does: read at the wrong offsets, the
        /// echoed id (or the operation) comes back wrong.
        /// </summary>
        private void StartVerify()
        {
            var front = _f.Ring.Front;
            _f.TransitionTo(FrontendState.Verifying);
            StartTicks = _f.Scheduler.Now;
            _f.Abi = _f.Options.Abi;
            _f.Granter.EndOrReplace(ref _scratchGref);

            // XSA-403: the page is zeroed before it is granted; the check read fills only its first sector.
            _f.Memory.Page(_scratchFrame).Span.Clear();
            _f.Granter.Grant(_scratchGref, _f.BackendDomainId, _scratchFrame, readOnly: false);
            var req = default(BlkifRequest);
            req.Operation = BlkifOp.Read;
            req.NrSegments = 1;
            req.Handle = (ushort)_f.DeviceId;
            req.Id = XenVbdFrontend.VerifyRequestId;
            req.SectorNumber = 0;
            req.SetSegment(0, new BlkifSegment(_scratchGref, 0, (byte)(_f.Disk!.LogicalBlockSize / BlkifLayout.SectorSize - 1)));
            BlkifCodec.WriteRequest(front.NextRequestSlot(), _f.Abi, req);
            front.Produce();
            _f.Ring.CountUnshadowed(1);
            _f.Ring.Notify();
            _f.Watchdog.Arm();
        }

        public void OnVerifyResponse(in BlkifResponse rsp)
        {
            _f.Ring.CountUnshadowed(-1);
            _f.Granter.End(_scratchGref);
            if (rsp.Id == XenVbdFrontend.VerifyRequestId && rsp.Operation == BlkifOp.Read)
            {
                _f.XenBus.BecomeReady();
                return;
            }

            _f.Recovery.Fail(FrontendState.LayoutMismatch,
                "announced " + _f.Options.Abi.ToProtocolString() + " but the backend reads another layout (check read came back as id 0x"
                + rsp.Id.ToString("x") + " " + BlkifOp.Name(rsp.Operation) + "); this mode cannot switch — use Probe or AnnounceAndProbe");
        }
    }
}
