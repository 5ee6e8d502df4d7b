using System.Collections.Generic;
using System.Linq;
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
        public void Subtree_operations_leave_keys_that_only_share_a_name_prefix_alone()
        {
            var xs = new XenStore(new Scheduler());
            xs.Write("/vbd/768/state", "4");
            xs.Write("/vbd/768/ring-ref", "8");
            xs.Write("/vbd/7680/state", "1");
            xs.Write("/vbd/768-old/state", "6");
            xs.Write("/vbd/7681", "x");

            Assert.Equal(new[] { "ring-ref", "state" }, xs.Directory("/vbd/768"));
            Assert.Equal(new[] { "/vbd/768", "/vbd/768/ring-ref", "/vbd/768/state" }, xs.Dump("/vbd/768").Select(kv => kv.Key));
            Assert.Equal(new[] { "768", "768-old", "7680", "7681" }, xs.Directory("/vbd"));

            xs.Remove("/vbd/768");

            Assert.False(xs.Exists("/vbd/768"));
            Assert.Null(xs.Read("/vbd/768/state"));
            Assert.Equal("1", xs.Read("/vbd/7680/state"));
            Assert.Equal("6", xs.Read("/vbd/768-old/state"));
            Assert.Equal("x", xs.Read("/vbd/7681"));
            Assert.Equal(new[] { "768-old", "7680", "7681" }, xs.Directory("/vbd"));
        }

        [Fact]
        public void A_key_removed_and_written_again_is_listed_once()
        {
            var xs = new XenStore(new Scheduler());
            xs.Write("/a/b/c", "1");
            xs.Remove("/a/b");
            xs.Write("/a/b/c", "2");
            xs.Write("/a/b/c", "3");

            Assert.Equal(new[] { "/a/b", "/a/b/c" }, xs.Dump("/a/b").Select(kv => kv.Key));
            Assert.Equal("3", xs.Read("/a/b/c"));
            Assert.Equal(new[] { "c" }, xs.Directory("/a/b"));
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
