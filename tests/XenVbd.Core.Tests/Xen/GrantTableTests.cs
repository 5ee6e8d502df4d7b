using XenVbd.Xen;

namespace XenVbd.Tests.Xen
{
    public class GrantTableTests
    {
        private static (XenHost Host, Domain DomU) Make()
        {
            var host = new XenHost();
            return (host, host.CreateDomain(1, 16));
        }

        [Fact]
        public void Granted_page_maps_for_the_grantee_only()
        {
            var (host, domU) = Make();
            uint frame = domU.Memory.AllocatePages(1);
            uint gref = domU.Grants.ClaimReference();
            domU.Grants.GrantAccess(gref, 0, frame, readOnly: false);
            Assert.Equal(GrantStatus.PermissionDenied, domU.Grants.Map(gref, 2, writable: true, out _));
            Assert.Equal(GrantStatus.Okay, domU.Grants.Map(gref, 0, writable: true, out var page));
            page.Span[0] = 0x5A;
            Assert.Equal(0x5A, domU.Memory.Page(frame).Span[0]);
            host.Dispose();
        }

        [Fact]
        public void Read_only_grant_refuses_a_writable_map()
        {
            var (_, domU) = Make();
            uint gref = domU.Grants.ClaimReference();
            domU.Grants.GrantAccess(gref, 0, domU.Memory.AllocatePages(1), readOnly: true);
            Assert.Equal(GrantStatus.PermissionDenied, domU.Grants.Map(gref, 0, writable: true, out _));
            Assert.Equal(GrantStatus.Okay, domU.Grants.Map(gref, 0, writable: false, out _));
        }

        [Fact]
        public void End_access_fails_while_mapped_and_succeeds_after_unmap()
        {
            var (_, domU) = Make();
            uint gref = domU.Grants.ClaimReference();
            domU.Grants.GrantAccess(gref, 0, domU.Memory.AllocatePages(1), readOnly: false);
            Assert.Equal(GrantStatus.Okay, domU.Grants.Map(gref, 0, writable: true, out _));
            Assert.False(domU.Grants.EndAccess(gref));
            Assert.True(domU.Grants.IsActive(gref));
            domU.Grants.Unmap(gref);
            Assert.True(domU.Grants.EndAccess(gref));
            Assert.Equal(GrantStatus.BadGntref, domU.Grants.Map(gref, 0, writable: false, out _));
        }

        [Fact]
        public void Reserved_and_out_of_range_refs_never_map()
        {
            var (_, domU) = Make();
            Assert.Equal(GrantStatus.BadGntref, domU.Grants.Map(0, 0, false, out _));
            Assert.Equal(GrantStatus.BadGntref, domU.Grants.Map(7, 0, false, out _));
            Assert.Equal(GrantStatus.BadGntref, domU.Grants.Map(uint.MaxValue, 0, false, out _));
        }

        [Fact]
        public void Injected_map_failure_fails_that_map_only()
        {
            var (_, domU) = Make();
            uint a = domU.Grants.ClaimReference(), b = domU.Grants.ClaimReference();
            domU.Grants.GrantAccess(a, 0, domU.Memory.AllocatePages(1), false);
            domU.Grants.GrantAccess(b, 0, domU.Memory.AllocatePages(1), false);
            domU.Grants.MapFaultHook = g => g == a ? GrantStatus.GeneralError : GrantStatus.Okay;
            Assert.Equal(GrantStatus.GeneralError, domU.Grants.Map(a, 0, true, out _));
            Assert.Equal(GrantStatus.Okay, domU.Grants.Map(b, 0, true, out _));
            Assert.Equal(1, domU.Grants.FailedMaps);
        }

        [Fact]
        public void Entries_use_the_v1_wire_layout()
        {
            var (_, domU) = Make();
            uint gref = domU.Grants.ClaimReference();
            domU.Grants.GrantAccess(gref, 0, 0x1234, readOnly: true);
            var raw = domU.Memory.Page(domU.Grants.FirstFrame + gref * 8 / 4096).Span.Slice((int)(gref * 8 % 4096), 8);
            Assert.Equal(GrantTable.PermitAccess | GrantTable.ReadOnlyFlag, raw[0]);
            Assert.Equal(0, raw[2]);
            Assert.Equal(0x34, raw[4]);
            Assert.Equal(0x12, raw[5]);
        }
    }
}
