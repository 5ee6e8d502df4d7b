using System;
using System.Collections.Generic;
using System.IO;
using XenVbd.Ring;
using XenVbd.Transport;
using XenVbd.Xen;

namespace XenVbd.Tests.Transport
{
    public sealed class SharedMemoryFileTests : IDisposable
    {
        private readonly string _dir = Path.Combine(Path.GetTempPath(), "xenvbd-shm-" + Guid.NewGuid().ToString("N"));

        public SharedMemoryFileTests() => Directory.CreateDirectory(_dir);

        public void Dispose()
        {
            try { Directory.Delete(_dir, true); } catch (IOException) { }
        }

        private string NewFile(BlkifAbi abi = BlkifAbi.X86_64, int order = 1)
        {
            string path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".shm");
            using var f = SharedMemoryFile.Create(path, new SharedMemoryFileOptions { Abi = abi, MaxRingPageOrder = order, DataPages = 16 });
            return path;
        }

        private static void Poke(string path, long offset, params byte[] bytes)
        {
            using var s = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
            s.Position = offset;
            s.Write(bytes, 0, bytes.Length);
        }

        [Fact]
        public void Create_lays_out_header_regions_and_reopens()
        {
            string path = NewFile(BlkifAbi.X86_32, order: 2);
            using var f = SharedMemoryFile.Open(path, BlkifAbi.X86_32);
            var raw = File.ReadAllBytes(path);
            Assert.Equal("XENVBDSM", System.Text.Encoding.ASCII.GetString(raw, 0, 8));
            Assert.Equal(2u, f.Version);
            Assert.Equal(BlkifAbi.X86_32, f.Abi);
            Assert.Equal("x86_32-abi", System.Text.Encoding.ASCII.GetString(raw, 32, 10));
            Assert.Equal(0, raw[42]);
            Assert.Equal(2, f.MaxRingPageOrder);
            Assert.Equal(4096, f.GuestOffset);
            Assert.Equal(4096, f.GrantOffset);
            Assert.Equal(4096, f.GrantEntries);
            Assert.Equal(4096 + 8 * 4096, f.RingOffset);
            Assert.Equal(4 * 4096, f.RingLength);
            Assert.Equal(f.RingOffset + f.RingLength, f.DataOffset);
            Assert.Equal(16 * 4096, f.DataLength);
            Assert.Equal((8 + 4 + 16) * 4096L, f.GuestLength);
            Assert.Equal(4096 + f.GuestLength, f.Length);
            Assert.Equal(f.Length, raw.Length);
            Assert.Equal(1, f.FrontendDomainId);
            Assert.Equal(0, f.BackendDomainId);
            Assert.Equal(XenbusState.Unknown, f.BackendState);
            Assert.Null(f.BackendNativeAbi);
            Assert.Null(f.FrontendProtocol);
        }

        [Fact]
        public void Event_counters_and_peer_blocks_are_shared_between_mappings()
        {
            string path = NewFile();
            using var a = SharedMemoryFile.Open(path);
            using var b = SharedMemoryFile.Open(path);
            a.NotifyBackend();
            a.NotifyBackend();
            b.NotifyFrontend();
            Assert.Equal(2u, b.FrontToBackEvents);
            Assert.Equal(1u, a.BackToFrontEvents);
            b.BackendNativeAbi = "x86_32-abi";
            b.BackendState = XenbusState.InitWait;
            Assert.Equal("x86_32-abi", a.BackendNativeAbi);
            Assert.Equal(XenbusState.InitWait, a.BackendState);
            a.WriteRingRef(3, 0xDEADBEEF);
            Assert.Equal(0xDEADBEEFu, b.ReadRingRef(3));
            var raw = File.ReadAllBytes(path);
            Assert.Equal(2u, BitConverter.ToUInt32(raw, ShmLayout.EventFrontToBackOffset));
            Assert.Equal(1u, BitConverter.ToUInt32(raw, ShmLayout.EventBackToFrontOffset));
            Assert.Equal(2u, BitConverter.ToUInt32(raw, ShmLayout.BackStateOffset));
            Assert.Equal(0xDEADBEEFu, BitConverter.ToUInt32(raw, ShmLayout.FrontRingRefOffset + 12));
        }

        [Theory]
        [InlineData(0L, new byte[] { (byte)'X', (byte)'E', (byte)'N', (byte)'V', (byte)'B', (byte)'D', (byte)'S', (byte)'N' }, "magic")]
        [InlineData(8L, new byte[] { 3, 0, 0, 0 }, "version")]
        [InlineData(12L, new byte[] { 0, 32, 0, 0 }, "header_size")]
        [InlineData(24L, new byte[] { 0, 0, 1, 0 }, "page_size")]
        [InlineData(16L, new byte[] { 0, 0, 0, 1 }, "file_size")]
        [InlineData(28L, new byte[] { 5, 0, 0, 0 }, "ring_page_order")]
        [InlineData(32L, new byte[] { (byte)'x', (byte)'8', (byte)'6', (byte)'_', (byte)'1', (byte)'6' }, "abi")]
        [InlineData(56L, new byte[] { 1, 16, 0, 0 }, "guest_offset")]
        [InlineData(72L, new byte[] { 0, 32, 0, 0 }, "grant_offset")]
        [InlineData(80L, new byte[] { 100, 0, 0, 0 }, "grant_entries")]
        [InlineData(96L, new byte[] { 0, 16, 0, 0 }, "ring_length")]
        [InlineData(104L, new byte[] { 0, 0, 0, 8 }, "data_offset")]
        public void Open_rejects_a_bad_field_by_name(long offset, byte[] bytes, string field)
        {
            string path = NewFile();
            Poke(path, offset, bytes);
            var e = Assert.Throws<SharedMemoryFormatException>(() => SharedMemoryFile.Open(path));
            Assert.Equal(field, e.Field);
            Assert.Contains("'" + field + "'", e.Message);
        }

        [Fact]
        public void Open_rejects_an_abi_the_peer_does_not_expect_and_a_native_peer_ignores_it()
        {
            string path = NewFile(BlkifAbi.X86_64);
            var e = Assert.Throws<SharedMemoryFormatException>(() => SharedMemoryFile.Open(path, BlkifAbi.X86_32));
            Assert.Equal("abi", e.Field);
            Assert.Contains("x86_64-abi", e.Message);
            using var native = SharedMemoryFile.Open(path, expectedAbi: null);
            Assert.Equal(BlkifAbi.X86_64, native.Abi);
        }

        [Fact]
        public void Open_rejects_a_version_1_file_naming_the_version()
        {
            string path = NewFile();
            Poke(path, ShmLayout.VersionOffset, 1, 0, 0, 0);
            var e = Assert.Throws<SharedMemoryFormatException>(() => SharedMemoryFile.Open(path));
            Assert.Equal("version", e.Field);
            Assert.Contains("1 is not the supported version 2", e.Message);
            Assert.Contains("version-1 file has no key areas", e.Message);
        }

        [Fact]
        public void Key_areas_carry_keys_both_ways_and_absence_reads_as_absent()
        {
            string path = NewFile();
            using var a = SharedMemoryFile.Open(path);
            using var b = SharedMemoryFile.Open(path);
            Assert.Empty(b.ReadBackendKeys());
            uint before = b.BackendKeysSequence;
            a.WriteBackendKeys(new[] { KeyValuePair.Create("feature-flush-cache", "1"), KeyValuePair.Create("mode", "w"), KeyValuePair.Create("discard-granularity", "") });
            Assert.Equal(before + 2, b.BackendKeysSequence);
            var keys = b.ReadBackendKeys();
            Assert.Equal(3, keys.Count);
            Assert.Equal("1", keys["feature-flush-cache"]);
            Assert.Equal("w", keys["mode"]);
            Assert.Equal("", keys["discard-granularity"]);
            Assert.False(keys.ContainsKey("feature-barrier"));
            a.WriteBackendKeys(new[] { KeyValuePair.Create("mode", "r") });
            keys = b.ReadBackendKeys();
            Assert.Single(keys);
            Assert.Equal("r", keys["mode"]);
            b.WriteFrontendKeys(new[] { KeyValuePair.Create("protocol", "x86_32-abi") });
            Assert.Equal("x86_32-abi", a.ReadFrontendKeys()["protocol"]);
            var raw = File.ReadAllBytes(path);
            Assert.Equal("protocol=x86_32-abi\n", System.Text.Encoding.ASCII.GetString(raw, ShmLayout.FrontKeysOffset + ShmLayout.KeyAreaTextOffset, 20));
        }

        [Fact]
        public void Key_areas_refuse_text_that_does_not_fit_or_is_not_printable()
        {
            string path = NewFile();
            using var a = SharedMemoryFile.Open(path);
            Assert.Throws<ArgumentException>(() => a.WriteBackendKeys(new[] { KeyValuePair.Create("k", new string('x', ShmLayout.KeyAreaTextCapacity)) }));
            Assert.Throws<ArgumentException>(() => a.WriteBackendKeys(new[] { KeyValuePair.Create("a=b", "1") }));
            Assert.Throws<ArgumentException>(() => a.WriteBackendKeys(new[] { KeyValuePair.Create("a", "1\n2") }));
            Poke(path, ShmLayout.BackKeysOffset + 4, 3, 0, 0, 0);
            Poke(path, ShmLayout.BackKeysOffset + ShmLayout.KeyAreaTextOffset, (byte)'a', (byte)'b', (byte)'\n');
            Assert.Equal("back_keys", Assert.Throws<SharedMemoryFormatException>(() => a.ReadBackendKeys()).Field);
        }

        [Fact]
        public void Open_rejects_a_truncated_or_tiny_file()
        {
            string path = NewFile();
            using (var s = new FileStream(path, FileMode.Open, FileAccess.ReadWrite)) s.SetLength(s.Length - 4096);
            Assert.Equal("file_size", Assert.Throws<SharedMemoryFormatException>(() => SharedMemoryFile.Open(path)).Field);
            File.WriteAllBytes(path, new byte[100]);
            Assert.Equal("file_size", Assert.Throws<SharedMemoryFormatException>(() => SharedMemoryFile.Open(path)).Field);
        }

        [Fact]
        public void OpenWhenReady_times_out_on_a_file_without_magic()
        {
            string path = Path.Combine(_dir, "never.shm");
            File.WriteAllBytes(path, new byte[8192]);
            Assert.Throws<TimeoutException>(() => SharedMemoryFile.OpenWhenReady(path, TimeSpan.FromMilliseconds(50)));
        }

        [Fact]
        public void Create_validates_options()
        {
            string path = Path.Combine(_dir, "x.shm");
            Assert.Throws<ArgumentException>(() => SharedMemoryFile.Create(path, new SharedMemoryFileOptions { MaxRingPageOrder = 5 }));
            Assert.Throws<ArgumentException>(() => SharedMemoryFile.Create(path, new SharedMemoryFileOptions { GrantEntries = 1000 }));
            Assert.Throws<ArgumentException>(() => SharedMemoryFile.Create(path, new SharedMemoryFileOptions { FrontendDomainId = 0 }));
        }
    }
}
