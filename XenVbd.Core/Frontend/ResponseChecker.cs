using XenVbd.Ring;

namespace XenVbd.Frontend
{
    /// <summary>
    /// Which shadow a response names, as the personality trusts the backend (the <see cref="FrontendBehaviours.Responses"/>
    /// seam): GPLPV indexes its shadow array with the (masked) id and checks nothing; the Xen Project driver drops an id it
    /// did not submit; Linux blkfront (2021) and the hardened design reject rsp_prod too far ahead, an id out of range or
    /// not pending and an operation that does not match. Where the real driver would read outside its own memory the
    /// model stops the device with a reason that says so, instead of guessing what that memory held.
    /// </summary>
    internal sealed class ResponseChecker
    {
        /// <summary>The frontend that owns this part (personality, statistics, recovery).</summary>
        private readonly XenVbdFrontend _f;

        public ResponseChecker(XenVbdFrontend frontend)
        {
            _f = frontend;
        }

        /// <summary>The personality checks rsp_prod, ids and operations.</summary>
        public bool ChecksResponses => _f.Personality.Responses == ResponseValidation.Hardened || _f.Personality.Responses == ResponseValidation.DisableAndLeaveHanging;

        /// <summary>A checking personality's verdict on a response no correct backend sends.</summary>
        public void Reject(string reason)
        {
            if (_f.Personality.Responses == ResponseValidation.DisableAndLeaveHanging) _f.Recovery.Disable(reason);
            else _f.Recovery.Fail(FrontendState.Broken, reason);
        }

        /// <summary>The shadow a response names under this personality, or null when the response is dropped or the device stopped.</summary>
        /// <param name="shadows">The request ids a response on this queue's ring may name (each queue has its own).</param>
        /// <param name="rsp">The response as copied out of the ring.</param>
        public Shadow? ShadowFor(ShadowTable shadows, in BlkifResponse rsp)
        {
            var p = _f.Personality;
            switch (p.Responses)
            {
                case ResponseValidation.Unchecked:
                {
                    ulong index = p.ShadowIdMask == 0 ? rsp.Id : rsp.Id & p.ShadowIdMask;
                    if (index >= (ulong)p.ShadowArrayEntries)
                    {
                        _f.Recovery.Stop("response id 0x" + rsp.Id.ToString("x") + " indexes shadows[" + index + "] past the driver's " + p.ShadowArrayEntries
                             + "-entry shadow array" + (p.ShadowIdMask != 0 ? " (the id is masked with 0x" + p.ShadowIdMask.ToString("x") + " only)" : " (the id is not checked)")
                             + ": " + p.Name + " reads memory outside its own structures here; the model stops the device instead of guessing what that memory held");
                        return null;
                    }

                    if (index >= (ulong)shadows.Count || !IsOutstanding(shadows[(int)index]))
                    {
                        _f.Recovery.Stop("response id 0x" + rsp.Id.ToString("x") + " names shadows[" + index + "], which has no request outstanding: "
                             + p.Name + " takes that shadow's SRB pointer, which is NULL, and dereferences it (a crash in the guest); the model stops the device");
                        return null;
                    }

                    // Neither the operation nor whether this is the request the backend served is checked: a corrupted
                    // id completes another SRB, whose buffer the backend never filled.
                    return shadows[(int)index];
                }

                case ResponseValidation.IgnoreUnknownIds:
                    if (!shadows.IsValidId(rsp.Id) || !IsOutstanding(shadows[(int)rsp.Id]))
                    {
                        // win-xenvbd looks the id up on its submitted list and drops a response it does not find.
                        _f.Statistics.IgnoredResponses++;
                        return null;
                    }

                    return shadows[(int)rsp.Id];
            }

            if (!shadows.IsValidId(rsp.Id))
            {
                Reject("response id " + rsp.Id + " is out of range");
                return null;
            }

            var shadow = shadows[(int)rsp.Id];
            if (!IsOutstanding(shadow))
            {
                Reject("response id " + rsp.Id + " is not pending");
                return null;
            }

            // blkif_interrupt: for an INDIRECT request the expected operation is the shadow's indirect_op, and a response
            // whose operation differs is a wrong operation (the device is disabled); the hardened design also accepts an
            // echo of INDIRECT itself.
            bool opMatches = shadow.Operation == BlkifOp.Indirect
                ? rsp.Operation == shadow.IndirectOperation || (!p.IndirectResponseEchoesIndirectOp && rsp.Operation == BlkifOp.Indirect)
                : rsp.Operation == shadow.Operation;
            if (!opMatches)
            {
                Reject("response id " + rsp.Id + " has operation " + BlkifOp.Name(rsp.Operation) + " for a " + BlkifOp.Name(shadow.Operation)
                       + (shadow.Operation == BlkifOp.Indirect ? "(" + BlkifOp.Name(shadow.IndirectOperation) + ")" : string.Empty) + " request");
                return null;
            }

            return shadow;
        }

        /// <summary>A request is on the ring for this shadow (live, or orphaned by a reset).</summary>
        private static bool IsOutstanding(Shadow shadow) => shadow.State == ShadowState.InFlight || shadow.State == ShadowState.Orphaned;
    }
}
