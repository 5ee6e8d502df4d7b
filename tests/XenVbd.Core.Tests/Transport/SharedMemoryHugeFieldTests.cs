using System;
using System.IO;
using XenVbd.Transport;

namespace XenVbd.Tests.Transport
{
    /// <summary>A rogue creator writes values with the top bit set: the error prints them as the unsigned numbers they are.</summary>
    public sealed class SharedMemoryHugeFieldTests : IDisposable
    {
        private readonly string _dir = Path.Combine(Path.GetTempPath(), "xenvbd-shmhuge-" + Guid.NewGuid().ToString("N"));

        public SharedMemoryHugeFieldTests() => Directory.CreateDirectory(_dir);

        public void Dispose()
        {
            try { Directory.Delete(_dir, true); } catch (IOException) { }
        }

        [Theory]
        [InlineData(ShmLayout.GuestLengthOffset, 8, "guest_length", "18446744073709547520")]   // 2^64 - 4096
        [InlineData(ShmLayout.DataOffsetOffset, 8, "data_offset", "9223372036854775808")]      // 2^63
        [InlineData(ShmLayout.GrantEntriesOffset, 4, "grant_entries", "4294966784")]           // 2^32 - 512
        public void A_huge_field_is_reported_unsigned_and_by_name(int offset, int size, string field, string printed)
        {
            string path = Path.Combine(_dir, "f.shm");
            using (SharedMemoryFile.Create(path, new SharedMemoryFileOptions { DataPages = 8 })) { }
            ulong value = ulong.Parse(printed, System.Globalization.CultureInfo.InvariantCulture);
            using (var s = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
            {
                s.Position = offset;
                s.Write(size == 8 ? BitConverter.GetBytes(value) : BitConverter.GetBytes((uint)value), 0, size);
            }

            var e = Assert.Throws<SharedMemoryFormatException>(() => SharedMemoryFile.Open(path));
            Assert.Equal(field, e.Field);
            Assert.Contains(printed, e.Message);
            Assert.DoesNotContain("-", e.Message.Substring(e.Message.IndexOf(printed, StringComparison.Ordinal) - 1, 1));
        }
    }
}
