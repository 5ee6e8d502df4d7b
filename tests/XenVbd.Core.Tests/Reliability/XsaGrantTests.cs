using System;
using XenVbd.Ring;
using XenVbd.Tests.Support;
using XenVbd.Xen;

namespace XenVbd.Tests.Reliability
{
    public class XsaGrantTests
    {
        /// <summary>
        /// XSA-396 at the grant table, with a blkback rig: a backend that keeps a data grant mapped (a rogue
        /// one; blkback itself unmaps after each request) makes EndAccess fail and re-granting the ref throw,
        /// so the page cannot be handed out again while the backend can still write it.
        /// </summary>
        [Fact]
        public void Xsa396_a_grant_the_backend_keeps_mapped_cannot_be_ended_or_reused()
        {
            using var rig = BackendRig.Connected();
            var fe = rig.Frontend;
            var page = rig.GrantPages(1, 0x21)[0];
            Assert.Equal(BlkifStatus.Okay, fe.Submit(BlkifOp.Write, 1, 0, new BlkifSegment(page.Gref, 0, 7)).Status);
            // blkback let go of it.
            Assert.False(fe.Grants.IsMapped(page.Gref));

            // The rogue backend maps it and keeps it.
            Assert.Equal(GrantStatus.Okay, fe.Grants.Map(page.Gref, 0, writable: true, out var kept));
            Assert.False(fe.Grants.EndAccess(page.Gref));
            Assert.True(fe.Grants.IsActive(page.Gref));
            var e = Assert.Throws<InvalidOperationException>(() => fe.Grants.GrantAccess(page.Gref, 0, fe.AllocatePage(), readOnly: false));
            Assert.Contains("XSA-396", e.Message);
            Assert.Throws<InvalidOperationException>(() => fe.Grants.ReleaseReference(page.Gref));

            // Once it lets go, the frontend can end access and reuse the ref.
            fe.Grants.Unmap(page.Gref);
            Assert.True(fe.Grants.EndAccess(page.Gref));
            fe.Grants.ReleaseReference(page.Gref);
            Assert.Equal(0x21, kept.Span[0]);
        }
    }
}
