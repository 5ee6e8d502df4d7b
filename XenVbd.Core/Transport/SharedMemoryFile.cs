using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.IO.MemoryMappedFiles;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading;
using XenVbd.Ring;
using XenVbd.Xen;

namespace XenVbd.Transport
{
    /// <summary>
    /// The shared-memory file two processes use as "Xen": page 0 is a header (identification, region
    /// table, one event counter per direction, a frontend block and a backend block standing in for the
    /// XenStore keys); from page 1 on is the frontend domain's guest memory — grant table v1 entries in
    /// its first frames, then the ring pages, then data pages. Layout: docs/shared-memory.md.
    /// Mapped with <see cref="MemoryMappedFile"/>; <see cref="Guest"/> is a <see cref="MemoryRegion"/> so
    /// <see cref="GuestMemory"/>, <see cref="GrantTable"/> and <see cref="SharedRing"/> work over it unchanged.
    /// </summary>
    public sealed unsafe class SharedMemoryFile : IDisposable
    {
        private readonly MemoryMappedFile _mapping;
        private readonly MemoryMappedViewAccessor _view;
        private readonly FileStream _stream;
        private byte* _base;
        private bool _disposed;

        private SharedMemoryFile(string path, FileStream stream, MemoryMappedFile mapping, MemoryMappedViewAccessor view, long length)
        {
            Path = path;
            _stream = stream;
            _mapping = mapping;
            _view = view;
            byte* p = null;
            _view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
            _base = p + _view.PointerOffset;
            Length = length;
            TruncationGuard = new ShmTruncationGuard(this, stream);
        }

        public string Path { get; }

        /// <summary>Checks that the peer has not shrunk the file under the mapping (the stream is kept open for it).</summary>
        public ShmTruncationGuard TruncationGuard { get; }

        public long Length { get; }

        /// <summary>The whole mapping (header included).</summary>
        public MemoryRegion All => new MemoryRegion(_base, checked((int)Length), this);

        public MemoryRegion Header => new MemoryRegion(_base, ShmLayout.HeaderSize, this);

        /// <summary>The frontend domain's memory: frame 0 at <see cref="GuestOffset"/>.</summary>
        public MemoryRegion Guest => new MemoryRegion(_base + GuestOffset, checked((int)GuestLength), this);

        public uint Version => ReadUInt32(ShmLayout.VersionOffset);

        /// <summary>The layout the creator (frontend side) announced.</summary>
        public BlkifAbi Abi => ParseAbi(ReadString(ShmLayout.AbiOffset), "abi");

        public int MaxRingPageOrder => (int)ReadUInt32(ShmLayout.MaxRingPageOrderOffset);

        public int FrontendDomainId => (int)ReadUInt32(ShmLayout.FrontendDomainOffset);

        public int BackendDomainId => (int)ReadUInt32(ShmLayout.BackendDomainOffset);

        public long GuestOffset => (long)ReadUInt64(ShmLayout.GuestOffsetOffset);

        public long GuestLength => (long)ReadUInt64(ShmLayout.GuestLengthOffset);

        public long GrantOffset => (long)ReadUInt64(ShmLayout.GrantOffsetOffset);

        public int GrantEntries => (int)ReadUInt32(ShmLayout.GrantEntriesOffset);

        public long RingOffset => (long)ReadUInt64(ShmLayout.RingOffsetOffset);

        public int RingLength => (int)ReadUInt32(ShmLayout.RingLengthOffset);

        public long DataOffset => (long)ReadUInt64(ShmLayout.DataOffsetOffset);

        public long DataLength => (long)ReadUInt64(ShmLayout.DataLengthOffset);

        /// <summary>Bumped by the frontend each time it notifies the backend.</summary>
        public uint FrontToBackEvents => ReadUInt32(ShmLayout.EventFrontToBackOffset);

        /// <summary>Bumped by the backend each time it notifies the frontend.</summary>
        public uint BackToFrontEvents => ReadUInt32(ShmLayout.EventBackToFrontOffset);

        /// <summary>EVTCHNOP_send from the frontend: one more event for the backend.</summary>
        public void NotifyBackend() => Interlocked.Increment(ref Unsafe.As<uint, int>(ref Field32(ShmLayout.EventFrontToBackOffset)));

        /// <summary>EVTCHNOP_send from the backend: one more event for the frontend.</summary>
        public void NotifyFrontend() => Interlocked.Increment(ref Unsafe.As<uint, int>(ref Field32(ShmLayout.EventBackToFrontOffset)));

        public XenbusState FrontendState
        {
            get => (XenbusState)ReadUInt32(ShmLayout.FrontStateOffset);
            set => WriteUInt32(ShmLayout.FrontStateOffset, (uint)value);
        }

        public XenbusState BackendState
        {
            get => (XenbusState)ReadUInt32(ShmLayout.BackStateOffset);
            set => WriteUInt32(ShmLayout.BackStateOffset, (uint)value);
        }

        /// <summary>"x86_32-abi"/"x86_64-abi" the backend wrote as its own bitness; null before it did.</summary>
        public string? BackendNativeAbi
        {
            get => NullIfEmpty(ReadString(ShmLayout.BackNativeAbiOffset));
            set => WriteString(ShmLayout.BackNativeAbiOffset, value);
        }

        /// <summary>The layout the backend reads the ring in; null before it connected.</summary>
        public string? BackendChosenAbi
        {
            get => NullIfEmpty(ReadString(ShmLayout.BackChosenAbiOffset));
            set => WriteString(ShmLayout.BackChosenAbiOffset, value);
        }

        /// <summary>The frontend's protocol key; null when it wrote none (GPLPV's probe mode).</summary>
        public string? FrontendProtocol
        {
            get => NullIfEmpty(ReadString(ShmLayout.FrontProtocolOffset));
            set => WriteString(ShmLayout.FrontProtocolOffset, value);
        }

        public static SharedMemoryFile Create(string path, SharedMemoryFileOptions options)
        {
            if (path == null) throw new ArgumentNullException(nameof(path));
            if (options == null) throw new ArgumentNullException(nameof(options));
            options.Validate();
            int grantPages = options.GrantEntries * ShmLayout.GrantEntrySize / XenPage.Size;
            int ringPages = 1 << options.MaxRingPageOrder;
            long guestPages = grantPages + ringPages + (long)options.DataPages;
            long guestLength = guestPages * XenPage.Size;
            long length = ShmLayout.HeaderSize + guestLength;

            var stream = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            SharedMemoryFile file;
            try
            {
                stream.SetLength(length);
                var mapping = MemoryMappedFile.CreateFromFile(stream, null, length, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: true);
                var view = mapping.CreateViewAccessor(0, length, MemoryMappedFileAccess.ReadWrite);
                file = new SharedMemoryFile(path, stream, mapping, view, length);
            }
            catch
            {
                stream.Dispose();
                throw;
            }

            file.All.Span.Clear();
            file.WriteUInt32(ShmLayout.VersionOffset, ShmLayout.Version);
            file.WriteUInt32(ShmLayout.HeaderSizeOffset, ShmLayout.HeaderSize);
            file.WriteUInt64(ShmLayout.FileSizeOffset, (ulong)length);
            file.WriteUInt32(ShmLayout.PageSizeOffset, XenPage.Size);
            file.WriteUInt32(ShmLayout.MaxRingPageOrderOffset, (uint)options.MaxRingPageOrder);
            file.WriteString(ShmLayout.AbiOffset, options.Abi.ToProtocolString());
            file.WriteUInt32(ShmLayout.FrontendDomainOffset, (uint)options.FrontendDomainId);
            file.WriteUInt32(ShmLayout.BackendDomainOffset, (uint)options.BackendDomainId);
            long guest = ShmLayout.HeaderSize;
            file.WriteUInt64(ShmLayout.GuestOffsetOffset, (ulong)guest);
            file.WriteUInt64(ShmLayout.GuestLengthOffset, (ulong)guestLength);
            file.WriteUInt64(ShmLayout.GrantOffsetOffset, (ulong)guest);
            file.WriteUInt32(ShmLayout.GrantEntriesOffset, (uint)options.GrantEntries);
            long ring = guest + (long)grantPages * XenPage.Size;
            file.WriteUInt64(ShmLayout.RingOffsetOffset, (ulong)ring);
            file.WriteUInt32(ShmLayout.RingLengthOffset, (uint)(ringPages * XenPage.Size));
            long data = ring + (long)ringPages * XenPage.Size;
            file.WriteUInt64(ShmLayout.DataOffsetOffset, (ulong)data);
            file.WriteUInt64(ShmLayout.DataLengthOffset, (ulong)(length - data));
            file.WriteUInt32(ShmLayout.FrontPidOffset, (uint)CurrentProcessId());
            // Last: a peer polling for the file accepts it only once the magic is there.
            Interlocked.MemoryBarrier();
            Volatile.Write(ref Unsafe.AsRef<ulong>(file._base + ShmLayout.MagicOffset), ShmLayout.Magic);
            file.Flush();
            return file;
        }

        /// <summary>
        /// Opens and validates a file. <paramref name="expectedAbi"/>: the layout the opener insists on
        /// (a Protocol-style peer); null accepts either (a Native peer ignores the field).
        /// </summary>
        public static SharedMemoryFile Open(string path, BlkifAbi? expectedAbi = null)
        {
            if (path == null) throw new ArgumentNullException(nameof(path));
            var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            long length = stream.Length;
            if (length < ShmLayout.HeaderSize * 2)
            {
                stream.Dispose();
                throw new SharedMemoryFormatException(path, "file_size", "the file has " + length + " bytes; a header page and at least one guest page (" + (ShmLayout.HeaderSize * 2) + " bytes) are needed.");
            }
            if (length > int.MaxValue)
            {
                stream.Dispose();
                throw new SharedMemoryFormatException(path, "file_size", "the file has " + length + " bytes; this implementation maps at most 2 GiB.");
            }

            SharedMemoryFile file;
            try
            {
                var mapping = MemoryMappedFile.CreateFromFile(stream, null, length, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: true);
                var view = mapping.CreateViewAccessor(0, length, MemoryMappedFileAccess.ReadWrite);
                file = new SharedMemoryFile(path, stream, mapping, view, length);
            }
            catch
            {
                stream.Dispose();
                throw;
            }

            try
            {
                file.Validate(expectedAbi);
            }
            catch
            {
                file.Dispose();
                throw;
            }
            return file;
        }

        /// <summary>Waits (polling) until the file exists and carries the magic, then <see cref="Open"/>s it.</summary>
        public static SharedMemoryFile OpenWhenReady(string path, TimeSpan timeout, BlkifAbi? expectedAbi = null)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (true)
            {
                if (HasMagic(path)) return Open(path, expectedAbi);
                if (DateTime.UtcNow > deadline) throw new TimeoutException("Shared-memory file '" + path + "' did not appear (with its magic) within " + timeout + ".");
                Thread.Sleep(5);
            }
        }

        private static bool HasMagic(string path)
        {
            try
            {
                using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                var b = new byte[8];
                int n = 0;
                while (n < 8)
                {
                    int r = s.Read(b, n, 8 - n);
                    if (r <= 0) return false;
                    n += r;
                }
                return BinaryPrimitives.ReadUInt64LittleEndian(b) == ShmLayout.Magic;
            }
            catch (IOException)
            {
                return false;
            }
            catch (UnauthorizedAccessException)
            {
                return false;
            }
        }

        private void Validate(BlkifAbi? expectedAbi)
        {
            ulong magic = ReadUInt64(ShmLayout.MagicOffset);
            if (magic != ShmLayout.Magic) Bad("magic", "0x" + magic.ToString("x16") + " is not \"XENVBDSM\" (0x" + ShmLayout.Magic.ToString("x16") + ").");
            uint version = ReadUInt32(ShmLayout.VersionOffset);
            if (version != ShmLayout.Version)
                Bad("version", version + " is not the supported version " + ShmLayout.Version + (version == 1 ? " (a version-1 file has no key areas: recreate it with this build's peers)." : "."));
            uint headerSize = ReadUInt32(ShmLayout.HeaderSizeOffset);
            if (headerSize != ShmLayout.HeaderSize) Bad("header_size", headerSize + " is not " + ShmLayout.HeaderSize + ".");
            uint pageSize = ReadUInt32(ShmLayout.PageSizeOffset);
            if (pageSize != XenPage.Size) Bad("page_size", pageSize + " is not " + XenPage.Size + " (Xen ring and grant pages are 4 KiB).");
            ulong fileSize = ReadUInt64(ShmLayout.FileSizeOffset);
            if (fileSize != (ulong)Length) Bad("file_size", "the header says " + fileSize + " bytes, the file has " + Length + ".");
            uint order = ReadUInt32(ShmLayout.MaxRingPageOrderOffset);
            if (order > BlkifLayout.MaxRingPageOrder) Bad("ring_page_order", order + " is outside 0.." + BlkifLayout.MaxRingPageOrder + ".");
            string abiText = ReadString(ShmLayout.AbiOffset);
            var abi = ParseAbi(abiText, "abi");
            if (expectedAbi.HasValue && abi != expectedAbi.Value)
                Bad("abi", "the file is laid out for " + abi.ToProtocolString() + "; this peer expects " + expectedAbi.Value.ToProtocolString() + ".");
            if (FrontendDomainId <= 0 || FrontendDomainId > 0x7FEF || BackendDomainId > 0x7FEF || BackendDomainId == FrontendDomainId)
                Bad("frontend_domid", "domain ids " + FrontendDomainId + " (frontend) and " + BackendDomainId + " (backend) are not usable.");

            CheckUnsignedFields();
            CheckRegion("guest", GuestOffset, GuestLength, ShmLayout.HeaderSize, Length);
            long guestEnd = GuestOffset + GuestLength;
            int entries = GrantEntries;
            if (entries < 512 || entries % 512 != 0) Bad("grant_entries", entries + " is not a positive multiple of 512 (whole pages of 8-byte v1 entries).");
            CheckRegion("grant", GrantOffset, (long)entries * ShmLayout.GrantEntrySize, GuestOffset, guestEnd);
            if (GrantOffset != GuestOffset) Bad("grant_offset", "the grant table must start at guest frame 0 (offset " + GuestOffset + "), not " + GrantOffset + ".");
            CheckRegion("ring", RingOffset, RingLength, GuestOffset, guestEnd);
            if (RingLength != XenPage.Size << (int)order) Bad("ring_length", RingLength + " is not 4096 << ring_page_order " + order + ".");
            CheckRegion("data", DataOffset, DataLength, GuestOffset, guestEnd);
        }

        /// <summary>
        /// The region fields as the peer wrote them, unsigned: a value past the file would otherwise be cast
        /// to a negative long or int and printed (and compared) as one.
        /// </summary>
        private void CheckUnsignedFields()
        {
            (string Field, int Offset)[] wide =
            {
                ("guest_offset", ShmLayout.GuestOffsetOffset), ("guest_length", ShmLayout.GuestLengthOffset), ("grant_offset", ShmLayout.GrantOffsetOffset),
                ("ring_offset", ShmLayout.RingOffsetOffset), ("data_offset", ShmLayout.DataOffsetOffset), ("data_length", ShmLayout.DataLengthOffset),
            };
            foreach (var (field, offset) in wide)
            {
                ulong value = ReadUInt64(offset);
                if (value > (ulong)Length) Bad(field, value + " lies beyond the file's " + Length + " bytes.");
            }

            foreach (var (field, offset) in new[] { ("grant_entries", ShmLayout.GrantEntriesOffset), ("ring_length", ShmLayout.RingLengthOffset) })
            {
                uint value = ReadUInt32(offset);
                if (value > (uint)int.MaxValue) Bad(field, value + " is far beyond the file's " + Length + " bytes.");
            }
        }

        private void CheckRegion(string name, long offset, long length, long lower, long upper)
        {
            if (offset % XenPage.Size != 0) Bad(name + "_offset", offset + " is not page-aligned.");
            if (length <= 0 || length % XenPage.Size != 0) Bad(name + "_length", length + " is not a positive whole number of pages.");
            if (offset < lower || offset > upper || length > upper - offset)
                Bad(name + "_offset", "[" + offset + ", +" + length + ") lies outside [" + lower + ", " + upper + ").");
        }

        private void Bad(string field, string message) => throw new SharedMemoryFormatException(Path, field, message);

        private BlkifAbi ParseAbi(string text, string field)
        {
            if (!BlkifAbiNames.TryParseProtocol(text, out var abi))
                Bad(field, "\"" + text + "\" is neither " + BlkifAbiNames.X86_32Protocol + " nor " + BlkifAbiNames.X86_64Protocol + ".");
            return abi;
        }

        /// <summary>Bumped twice by every write of the frontend's key area (odd while it writes).</summary>
        public uint FrontendKeysSequence => ReadUInt32(ShmLayout.FrontKeysOffset);

        /// <summary>Bumped twice by every write of the backend's key area (odd while it writes).</summary>
        public uint BackendKeysSequence => ReadUInt32(ShmLayout.BackKeysOffset);

        /// <summary>The frontend's XenStore keys (names relative to its device directory); a key it did not write is absent.</summary>
        public Dictionary<string, string> ReadFrontendKeys() => ReadKeys(ShmLayout.FrontKeysOffset, "front_keys");

        /// <summary>The backend's XenStore keys (names relative to its device directory); a key it did not write is absent.</summary>
        public Dictionary<string, string> ReadBackendKeys() => ReadKeys(ShmLayout.BackKeysOffset, "back_keys");

        /// <summary>Replaces the frontend's key area with <paramref name="keys"/> (written before the state).</summary>
        public void WriteFrontendKeys(IEnumerable<KeyValuePair<string, string>> keys) => WriteKeys(ShmLayout.FrontKeysOffset, keys);

        /// <summary>Replaces the backend's key area with <paramref name="keys"/> (written before the state).</summary>
        public void WriteBackendKeys(IEnumerable<KeyValuePair<string, string>> keys) => WriteKeys(ShmLayout.BackKeysOffset, keys);

        private void WriteKeys(int area, IEnumerable<KeyValuePair<string, string>> keys)
        {
            if (keys == null) throw new ArgumentNullException(nameof(keys));
            var text = new StringBuilder();
            foreach (var kv in keys)
            {
                CheckKeyText(kv.Key, isName: true);
                CheckKeyText(kv.Value, isName: false);
                text.Append(kv.Key).Append('=').Append(kv.Value).Append('\n');
            }
            if (text.Length > ShmLayout.KeyAreaTextCapacity)
                throw new ArgumentException("The keys take " + text.Length + " bytes; a key area holds " + ShmLayout.KeyAreaTextCapacity + ".", nameof(keys));
            ref uint seq = ref Field32(area);
            // Seqlock: odd while the text is being replaced, so a reader retries instead of seeing half of it.
            Interlocked.Increment(ref Unsafe.As<uint, int>(ref seq));
            var dest = new Span<byte>(_base + area + ShmLayout.KeyAreaTextOffset, ShmLayout.KeyAreaTextCapacity);
            dest.Clear();
            for (int i = 0; i < text.Length; i++) dest[i] = (byte)text[i];
            Volatile.Write(ref Field32(area + 4), (uint)text.Length);
            Interlocked.Increment(ref Unsafe.As<uint, int>(ref seq));
        }

        private static void CheckKeyText(string s, bool isName)
        {
            if (s == null) throw new ArgumentNullException(isName ? "key" : "value");
            if (isName && s.Length == 0) throw new ArgumentException("A XenStore key name is not empty.", "key");
            foreach (char c in s)
                if (c < 0x20 || c > 0x7E || (isName && c == '='))
                    throw new ArgumentException("XenStore key " + (isName ? "names" : "values") + " in the file are printable ASCII" + (isName ? " without '='" : "") + ": \"" + s + "\".", isName ? "key" : "value");
        }

        private Dictionary<string, string> ReadKeys(int area, string field)
        {
            var buffer = new byte[ShmLayout.KeyAreaTextCapacity];
            int length;
            for (int attempt = 0; ; attempt++)
            {
                uint before = Volatile.Read(ref Field32(area));
                if ((before & 1) == 0)
                {
                    length = (int)Volatile.Read(ref Field32(area + 4));
                    if (length > ShmLayout.KeyAreaTextCapacity) Bad(field, "text length " + length + " exceeds the area's " + ShmLayout.KeyAreaTextCapacity + " bytes.");
                    new ReadOnlySpan<byte>(_base + area + ShmLayout.KeyAreaTextOffset, length).CopyTo(buffer);
                    Interlocked.MemoryBarrier();
                    if (Volatile.Read(ref Field32(area)) == before) break;
                }
                if (attempt > 100_000) Bad(field, "the writer never finished (sequence stays odd or keeps moving).");
                if (attempt > 64) Thread.Yield();
            }
            var keys = new Dictionary<string, string>(StringComparer.Ordinal);
            int start = 0;
            for (int i = 0; i < length; i++)
            {
                if (buffer[i] != (byte)'\n') continue;
                int eq = Array.IndexOf(buffer, (byte)'=', start, i - start);
                if (eq <= start) Bad(field, "line \"" + Encoding.ASCII.GetString(buffer, start, i - start) + "\" is not name=value.");
                keys[Encoding.ASCII.GetString(buffer, start, eq - start)] = Encoding.ASCII.GetString(buffer, eq + 1, i - eq - 1);
                start = i + 1;
            }
            if (start != length) Bad(field, "the text does not end with a newline.");
            return keys;
        }

        /// <summary>Ring-ref i as the frontend published it.</summary>
        public uint ReadRingRef(int index) => ReadUInt32(RingRefOffset(index));

        public void WriteRingRef(int index, uint gref) => WriteUInt32(RingRefOffset(index), gref);

        private static int RingRefOffset(int index)
        {
            if ((uint)index >= ShmLayout.MaxRingRefs) ThrowHelper.ThrowArgumentOutOfRange(nameof(index), index, "Ring refs are 0..15.");
            return ShmLayout.FrontRingRefOffset + index * 4;
        }

        public uint ReadUInt32(int offset) => Volatile.Read(ref Field32(offset));

        public void WriteUInt32(int offset, uint value) => Volatile.Write(ref Field32(offset), value);

        public ulong ReadUInt64(int offset)
        {
            CheckHeader(offset, 8);
            return Volatile.Read(ref Unsafe.AsRef<ulong>(_base + offset));
        }

        public void WriteUInt64(int offset, ulong value)
        {
            CheckHeader(offset, 8);
            Volatile.Write(ref Unsafe.AsRef<ulong>(_base + offset), value);
        }

        /// <summary>A NUL-padded ASCII field of 16 bytes (ABI strings).</summary>
        public string ReadString(int offset)
        {
            CheckHeader(offset, ShmLayout.AbiFieldSize);
            var span = new ReadOnlySpan<byte>(_base + offset, ShmLayout.AbiFieldSize);
            int n = span.IndexOf((byte)0);
            if (n < 0) n = span.Length;
            var chars = new char[n];
            for (int i = 0; i < n; i++) chars[i] = span[i] < 0x20 || span[i] > 0x7E ? '?' : (char)span[i];
            return new string(chars);
        }

        public void WriteString(int offset, string? value)
        {
            CheckHeader(offset, ShmLayout.AbiFieldSize);
            var span = new Span<byte>(_base + offset, ShmLayout.AbiFieldSize);
            span.Clear();
            if (value == null) return;
            if (value.Length >= ShmLayout.AbiFieldSize) throw new ArgumentException("At most 15 characters fit a header string field.", nameof(value));
            for (int i = 0; i < value.Length; i++)
            {
                if (value[i] < 0x20 || value[i] > 0x7E) throw new ArgumentException("Header strings are printable ASCII.", nameof(value));
                span[i] = (byte)value[i];
            }
        }

        /// <summary>msync: only needed for durability of the file itself; peers see each other's stores through the mapping.</summary>
        public void Flush() => _view.Flush();

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            _base = null;
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
            _mapping.Dispose();
            _stream.Dispose();
        }

        private ref uint Field32(int offset)
        {
            CheckHeader(offset, 4);
            return ref Unsafe.AsRef<uint>(_base + offset);
        }

        private void CheckHeader(int offset, int size)
        {
            if (_disposed) ThrowHelper.ThrowInvalidOperation("The shared-memory file is closed.");
            if ((uint)offset > (uint)(ShmLayout.HeaderSize - size) || (offset & (Math.Min(size, 8) - 1)) != 0)
                ThrowHelper.ThrowArgumentOutOfRange(nameof(offset), offset, "Header field at " + offset + " (" + size + " bytes) is outside the header page or misaligned.");
        }

        private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;

        private static int CurrentProcessId()
        {
#if NET
            return Environment.ProcessId;
#else
            using var p = System.Diagnostics.Process.GetCurrentProcess();
            return p.Id;
#endif
        }
    }
}
