namespace XenVbd.Transport
{
    /// <summary>
    /// Byte offsets of the shared-memory file's header (page 0). All little-endian; documented with
    /// a byte table in docs/shared-memory.md and mirrored by tests/interop/shm/shm.h for the C peers.
    /// Each side writes only its own block (frontend 256.., backend 512..) and its own event counter.
    /// </summary>
    public static class ShmLayout
    {
        /// <summary>"XENVBDSM" as a little-endian u64.</summary>
        public const ulong Magic = 0x4D53_4442_564E_4558UL;

        /// <summary>2: the key areas (<see cref="FrontKeysOffset"/>, <see cref="BackKeysOffset"/>) carry every XenStore key, absence included.</summary>
        public const uint Version = 2;

        public const int HeaderSize = XenPage.Size;

        public const int AbiFieldSize = 16;

        public const int MaxRingRefs = 16;

        // Identification and regions (written once by the creator; the magic last).
        public const int MagicOffset = 0;            // u64 "XENVBDSM"
        public const int VersionOffset = 8;          // u32
        public const int HeaderSizeOffset = 12;      // u32 = 4096
        public const int FileSizeOffset = 16;        // u64
        public const int PageSizeOffset = 24;        // u32 = 4096
        public const int MaxRingPageOrderOffset = 28; // u32: ring pages reserved = 2^this
        public const int AbiOffset = 32;             // char[16], NUL-padded: the creator's (frontend's) layout
        public const int FrontendDomainOffset = 48;  // u32
        public const int BackendDomainOffset = 52;   // u32
        public const int GuestOffsetOffset = 56;     // u64: the frontend's guest memory (frame 0)
        public const int GuestLengthOffset = 64;     // u64
        public const int GrantOffsetOffset = 72;     // u64: grant table v1 entries (inside guest memory)
        public const int GrantEntriesOffset = 80;    // u32
        public const int RingOffsetOffset = 88;      // u64: ring pages reserved (inside guest memory)
        public const int RingLengthOffset = 96;      // u32
        public const int DataOffsetOffset = 104;     // u64: first page after grant table and ring
        public const int DataLengthOffset = 112;     // u64

        // Event counters, one cache line each; each is written only by its sender.
        public const int EventFrontToBackOffset = 128; // u32, bumped by the frontend on notify
        public const int EventBackToFrontOffset = 192; // u32, bumped by the backend on notify

        // Frontend block (XenStore's frontend keys).
        public const int FrontStateOffset = 256;     // u32 XenbusState
        public const int FrontRingOrderOffset = 260; // u32 ring-page-order in use
        public const int FrontPidOffset = 264;       // u32 informational
        public const int FrontEventPortOffset = 268; // u32 informational (the frontend's event-channel key)
        public const int FrontProtocolOffset = 272;  // char[16]: the protocol key; empty = none written (probe)
        public const int FrontRingRefOffset = 288;   // u32[16]: ring-ref0..15 (ring-ref when order 0)

        // Backend block (XenStore's backend keys).
        public const int BackStateOffset = 512;           // u32 XenbusState
        public const int BackMaxRingOrderOffset = 516;    // u32 max-ring-page-order
        public const int BackSectorsOffset = 520;         // u64 sectors (512-byte units)
        public const int BackSectorSizeOffset = 528;      // u32 sector-size
        public const int BackPhysicalSectorSizeOffset = 532; // u32 physical-sector-size
        public const int BackInfoOffset = 536;            // u32 info (VDISK_*)
        public const int BackFeaturesOffset = 540;        // u32 bits: FeatureFlush, FeatureBarrier, FeatureDiscard
        public const int BackNativeAbiOffset = 544;       // char[16]: the backend's own bitness
        public const int BackChosenAbiOffset = 560;       // char[16]: the layout it reads the ring in (after connect)
        public const int BackMaxIndirectOffset = 576;     // u32 feature-max-indirect-segments
        public const int BackPidOffset = 580;             // u32 informational
        public const int BackRequestsOffset = 584;        // u64 requests consumed (informational)
        public const int BackRingHaltedOffset = 592;      // u32 1 once blkback halted the ring (its XenStore `error` key); the state stays Connected as Linux's does

        // Key areas (version 2): each side's XenStore directory as "name=value\n" lines, so a key the
        // peer did not write reads as absent rather than 0. u32 sequence @+0 (odd while the writer is
        // in the middle: a seqlock), u32 text length @+4, text @+8. Written before the side's state.
        public const int FrontKeysOffset = 1024;
        public const int BackKeysOffset = 2560;
        public const int KeyAreaSize = 1536;
        public const int KeyAreaTextOffset = 8;
        public const int KeyAreaTextCapacity = KeyAreaSize - KeyAreaTextOffset;

        public const uint FeatureFlush = 1;
        public const uint FeatureBarrier = 2;
        public const uint FeatureDiscard = 4;

        /// <summary>v1 grant entry: flags u16, domid u16, frame u32.</summary>
        public const int GrantEntrySize = 8;

        /// <summary>Grant table capacity the C# GrantTable uses by default: 4096 entries in 8 pages.</summary>
        public const int DefaultGrantEntries = 4096;
    }
}
