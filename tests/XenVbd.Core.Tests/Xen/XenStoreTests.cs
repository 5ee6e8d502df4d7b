using System.Collections.Generic;
using XenVbd.Sim;
using XenVbd.Xen;

namespace XenVbd.Tests.Xen
{
    public class XenStoreTests
    {
        [Fact]
        public void Writes_create_parents_and_directory_lists_children()
        {
            var xs = new XenStore(new Scheduler());
            xs.Write("/local/domain/1/device/vbd/768/state", "1");
            xs.Write("/local/domain/1/device/vbd/768/ring-ref", "8");
            Assert.Equal(new[] { "ring-ref", "state" }, xs.Directory("/local/domain/1/device/vbd/768"));
            Assert.True(xs.Exists("/local/domain/1/device"));
            Assert.Equal("8", xs.Read("/local/domain/1/device/vbd/768/ring-ref"));
        }

        [Fact]
        public void Watch_fires_once_at_registration_and_later_for_writes_below_it()
        {
            var s = new Scheduler();
            var xs = new XenStore(s);
            var seen = new List<string>();
            xs.Watch("/a/b", "tok", (path, token) => seen.Add(path + "|" + token));
            s.RunUntilIdle();
            xs.Write("/a/b/c", "1");
            xs.Write("/a/x", "2");
            s.RunUntilIdle();
            Assert.Equal(new[] { "/a/b|tok", "/a/b/c|tok" }, seen);
        }

        [Fact]
        public void Watch_events_arrive_later_than_the_write()
        {
            var s = new Scheduler();
            var xs = new XenStore(s);
            string? observed = null;
            using var w = xs.Watch("/k", "t", (_, _) => observed = xs.Read("/k"));
            s.RunUntilIdle();
            xs.Write("/k", "first");
            xs.Write("/k", "second");
            Assert.Null(observed);
            s.RunUntilIdle();
            Assert.Equal("second", observed);
        }

        [Fact]
        public void Transaction_commit_fails_when_a_read_key_changed()
        {
            var xs = new XenStore(new Scheduler());
            xs.Write("/k", "1");
            var t = xs.BeginTransaction();
            Assert.Equal("1", t.Read("/k"));
            t.Write("/out", "x");
            xs.Write("/k", "2");
            Assert.False(t.Commit());
            Assert.Null(xs.Read("/out"));

            var t2 = xs.BeginTransaction();
            t2.Read("/k");
            t2.Write("/out", "y");
            Assert.Equal("y", t2.Read("/out"));
            Assert.True(t2.Commit());
            Assert.Equal("y", xs.Read("/out"));
        }

        [Fact]
        public void Remove_deletes_the_subtree()
        {
            var xs = new XenStore(new Scheduler());
            xs.Write("/a/b/c", "1");
            xs.Write("/a/bc", "2");
            xs.Remove("/a/b");
            Assert.False(xs.Exists("/a/b/c"));
            Assert.Equal("2", xs.Read("/a/bc"));
        }

        [Theory]
        [InlineData("")]
        [InlineData("/a//b")]
        [InlineData("/a/b/")]
        [InlineData("/a b")]
        public void Bad_paths_are_rejected(string path)
            => Assert.Throws<System.ArgumentException>(() => new XenStore(new Scheduler()).Write(path, "v"));
    }
}
