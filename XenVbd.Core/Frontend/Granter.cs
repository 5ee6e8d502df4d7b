using XenVbd.Xen;

namespace XenVbd.Frontend
{
    /// <summary>
    /// The frontend's grants (the Xen Project driver's granter.c): every page the backend may touch — ring pages,
    /// data or bounce pages, indirect pages, the check-read scratch page — is granted and ended here, and a grant the
    /// backend still maps when the frontend ends it is never reused (XSA-396): its request id is quarantined until the
    /// backend lets go, and a ring or scratch ref is replaced by a fresh one.
    /// </summary>
    internal sealed class Granter
    {
        /// <summary>The frontend that owns this part (statistics, the extension pool).</summary>
        private readonly XenVbdFrontend _f;

        /// <summary>The guest domain's grant table.</summary>
        private readonly GrantTable _grants;

        /// <summary>Shadows in <see cref="ShadowState.Quarantined"/>, kept as a count so the interrupt path need not scan.</summary>
        private int _quarantined;

        public Granter(XenVbdFrontend frontend, GrantTable grants)
        {
            _f = frontend;
            _grants = grants;
        }

        /// <summary>Lets the backend domain map <paramref name="frame"/> through <paramref name="gref"/>.</summary>
        public void Grant(uint gref, int backendDomain, uint frame, bool readOnly) => _grants.GrantAccess(gref, backendDomain, frame, readOnly);

        public bool IsActive(uint gref) => _grants.IsActive(gref);

        /// <summary>Ends a grant; false (and counted) when the backend still maps it.</summary>
        public bool End(uint gref)
        {
            if (_grants.EndAccess(gref)) return true;
            _f.Statistics.GrantsStillMapped++;
            return false;
        }

        /// <summary>
        /// Ends an active grant the frontend wants to use again; a ref the backend still maps is left to it and
        /// replaced with a fresh one. Returns whether it had to be replaced.
        /// </summary>
        public bool EndOrReplace(ref uint gref)
        {
            if (!_grants.IsActive(gref) || End(gref)) return false;
            gref = _grants.ClaimReference();
            return true;
        }

        /// <summary>Ends every grant of a shadow; false when the backend still maps any of them.</summary>
        public bool EndGrants(Shadow shadow)
        {
            bool ok = true;
            for (int i = 0; i < shadow.ActiveGrants; i++)
            {
                if (!_grants.IsActive(shadow.Grefs[i])) continue;
                if (!End(shadow.Grefs[i])) ok = false;
            }

            for (int i = 0; i < shadow.ActiveIndirectGrants; i++)
            {
                if (!_grants.IsActive(shadow.IndirectGrefs[i])) continue;
                if (!End(shadow.IndirectGrefs[i])) ok = false;
            }

            return ok;
        }

        /// <summary>Holds back a shadow whose grants the backend still maps; its owner keeps bounce pages among them.</summary>
        public void Quarantine(Shadow shadow)
        {
            shadow.State = ShadowState.Quarantined;
            _quarantined++;
            var owner = shadow.Owner;
            if (owner != null && owner.HoldsBounce && !owner.Direct)
            {
                // The still-mapped pages are bounce memory: the owner keeps them until the grants end.
                owner.QuarantinedParts++;
            }
            else
            {
                // A direct transfer's pages are the SRB's own buffer; only the grant ref is held back.
                shadow.Owner = null;
            }
        }

        /// <summary>Gives back quarantined ids whose grants the backend has finally let go of.</summary>
        public void RetryQuarantined()
        {
            if (_quarantined == 0) return;
            // Every queue's request ids (each queue has its own shadows).
            foreach (var ring in _f.Rings)
                RetryQuarantined(ring.Shadows);
        }

        private void RetryQuarantined(ShadowTable shadows)
        {
            foreach (var shadow in shadows.All)
            {
                if (shadow.State != ShadowState.Quarantined) continue;
                if (!EndGrants(shadow)) continue;
                var owner = shadow.Owner;
                _quarantined--;
                shadows.Release(shadow);
                if (owner == null) continue;
                owner.QuarantinedParts--;
                // Now provably unmapped: the bounce memory may go to the next SRB.
                if (owner.QuarantinedParts == 0 && owner.State == ExtensionState.Draining && owner.PartsOutstanding == 0) _f.Extensions.Free(owner);
            }
        }
    }
}
