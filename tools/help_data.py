# Help text for the device cmdlets; tools/gen-help.py turns it into MAML. Every example runs in the Pester help test.
DEV = {"name": "Device", "type": "XenVbd.Device.VbdDevice", "pipeline": "True (ByValue)",
       "desc": "The device object, as New-VbdDevice or Get-VbdDevice return it. Accepts pipeline input by value. Give either -Device or -Name."}
def NAME(position=0, extra=""):
    return {"name": "Name", "type": "System.String[]", "pipeline": "True (ByValue, ByPropertyName)", "position": position, "wildcards": True,
            "desc": "The name(s) of the device(s) in this session; wildcards select several. Tab completion offers the session's device names. Piped strings bind here (\"a1\",\"a2\" | Get-VbdRing), and so does a Name or DeviceName property of piped objects (a device, an SRB result, a statistics row). A device object given by position stands for its name, as Remove-Item $fileInfo works (Get-VbdRing $d)." + extra}
DEVNAME = {"name": "DeviceName", "type": "System.String", "pipeline": "True (ByPropertyName)",
           "desc": "Binds the DeviceName property of piped objects (SRB results, statistics, rings, fault rules, workload results) and then wins over -Name, whose Name property may mean something else on such objects. Hidden from tab completion; use -Name when typing."}
DEVICE_INPUTS = [("XenVbd.Device.VbdDevice", "A device from New-VbdDevice or Get-VbdDevice."),
                 ("System.String", "A device name (bare strings bind by value), or any object with a Name or DeviceName property naming a device.")]
ERRORS_DEVICE = "A name that matches no device gives a non-terminating DeviceNotFound error (ObjectNotFound); a device object that was removed gives DeviceRemoved. Neither changes any device."

COMMANDS = [
{
 "name": "New-VbdDevice",
 "synopsis": "Creates a simulated virtual block device: a domU xenvbd frontend and a dom0 blkback backend joined by a shared ring.",
 "description": """
New-VbdDevice builds one simulated machine: a Xen host with a seeded random source and a virtual clock, a guest domain running the GPLPV xenvbd frontend, and dom0 running blkback over a disk. The two halves go through the XenBus handshake (XenStore states Initialising to Connected) and, in Probe mode, the frontend's ABI probe, before the cmdlet returns. The device is added to the session under its name; Get-VbdDevice lists it, Remove-VbdDevice closes it.

The disk is a sparse in-memory disk unless -ImagePath names a raw image file. An existing image is opened (and locked) and gives the size; a missing image is created at -SizeBytes.

-FrontendAbi and -BackendAbi choose the bitness of the two sides (x86_32 or x86_64, which lay ring entries out at 108 or 112 bytes). -BackendMode Native makes the backend use its own layout whatever the frontend says (a backend from before the protocol key); Protocol makes it read the frontend's protocol key and assume x86_32 without one, as Linux does. -FrontendMode Probe is GPLPV 2008-2013 (no protocol key, probe with two operation-0xff requests and switch layout on the fly); Announce writes the protocol key and does not probe; AnnounceAndProbe does both. -FrontendMode and -Bounce are the hardened design's choices (-Personality Hardened); a real driver's personality, the default Gplpv2008b included, has its own.

Bad input stops the cmdlet with an error and creates nothing: a size that is not a positive multiple of the logical sector size (SizeNotMultipleOfSector), a name already in use (DuplicateDeviceName), an image that is a folder or whose length is not a whole number of sectors (ImageNotADisk), an image another device or process holds (ImageLocked; on Linux the message names the holder's pid and the recommended action says how to free it), a -SizeBytes that differs from an existing image's length (ImageSizeMismatch), an -ImagePath on another provider or with wildcards that do not match exactly one file (NotAFileSystemPath, PathNotUnique), a physical sector size below the logical one, a negative -BackendServiceTime, or a -RequestTimeout or -BackendServiceTime beyond 365 days of virtual time (InvalidDeviceOptions). Values outside a parameter's range (-QueueDepth, -GuestBufferBytes, -ReconnectAfterUnansweredTimeouts, -MaxRingPageOrder, -MaxIndirectSegments) are refused at binding with ParameterArgumentValidationError.

-Backend Qemu puts a real QEMU (xen-disk from Debian's qemu-system-xen, /usr/libexec/xen-qemu-system-i386 or -QemuPath) behind the same frontend: a separate process with the Xen stand-in preloaded, over a shared-memory file, serving a temporary sparse image (removed with the device) or -ImagePath. It runs in real time: every wait is bounded by -QemuTimeout (60 s) and then fails with BackendTimeout, and a QEMU that exits is a BackendProcessExited error. Invoke-Srb, Get-VbdRing, Get-VbdXenStore (QEMU's keys come from the file's key area: a key QEMU never writes is absent), Invoke-VbdWorkload, Test-VbdIntegrity (through QEMU and in the image file), Export-VbdTrace, Get-VbdStatistic and Remove-VbdDevice work as on a model device; what needs the blkback model (Add-VbdFault, Set-BackendAbi, a resize) is a BackendNotModelled error (NotImplemented). Parameters of the model's backend (-BackendAbi, -BackendMode, -BackendPersonality, -ReorderCompletions, -BackendServiceTime, -VolatileWriteCache, -FeatureFlush, -FeatureBarrier, -MaxIndirectSegments) are refused with QemuBackendFixesOption; -FeatureDiscard chooses the drive's discard=unmap. The stand-in is compiled from the module's native/xen-standin source on first use into ~/.cache/xenvbd (per source hash). Without QEMU the error is QemuNotInstalled (NotInstalled) recommending sudo apt-get install qemu-system-xen; without gcc or Xen's headers, XenStandinPrerequisiteMissing recommending sudo apt-get install gcc libxen-dev. QEMU is stopped by its pid when the device is removed, the module is removed or PowerShell exits, and dies with a PowerShell that is killed (the stand-in asks for the parent-death signal).

-UntrustedBackend bounces every transfer so the backend never sees guest memory (XSA-403). -ReconnectAfterUnansweredTimeouts turns on the frontend's forced reconnect: a device whose backend stops answering (a restart the frontend never saw, or a lost response pinning bounce memory) closes and reconnects its side on its own instead of timing out for good.
""",
 "parameters": [
  {"name": "Name", "type": "System.String", "position": 0, "pipeline": "True (ByPropertyName)", "default": "the first free vbdN",
   "desc": "The device's name in the session. Names are case-insensitive and may not contain wildcard characters or slashes. When omitted the first free name vbd0, vbd1, ... is used."},
  {"name": "SizeBytes", "type": "System.Int64", "position": 1, "pipeline": "True (ByPropertyName)", "default": "64MB",
   "desc": "The capacity in bytes, a positive multiple of -LogicalSectorSize; PowerShell's 16MB, 1GB suffixes work. With an existing -ImagePath the file's length is used; a -SizeBytes that differs from it is refused (ImageSizeMismatch), since opening never resizes an image. Alias: Size."},
  {"name": "LogicalSectorSize", "type": "System.Int32", "values": ["512", "4096"], "pipeline": "True (ByPropertyName)", "default": "512",
   "desc": "The logical block size the disk reports (READ CAPACITY) and addresses by: 512 or 4096. Ring requests always count 512-byte sectors."},
  {"name": "PhysicalSectorSize", "type": "System.Int32", "values": ["512", "4096"], "pipeline": "True (ByPropertyName)", "default": "the logical sector size",
   "desc": "The physical block size the backend publishes (physical-sector-size); 512 or 4096, not smaller than the logical size."},
  {"name": "ReadOnly", "type": "SwitchParameter", "pipeline": "True (ByPropertyName)", "default": "False",
   "desc": "Makes the disk read-only: the backend publishes mode r and rejects writes, which come back as DATA PROTECT / WRITE PROTECTED."},
  {"name": "ImagePath", "type": "System.String", "pipeline": "True (ByPropertyName)", "default": "None (in-memory disk)",
   "desc": "A raw disk image file to use as the disk, relative to the current PowerShell location. An existing file is opened and locked for the device's lifetime; a missing one is created at -SizeBytes (its folder must exist). A symbolic link is followed to its target (a dangling link creates the target). A path on another provider (Env:, HKLM:) is refused (NotAFileSystemPath); wildcards must match exactly one file (PathNotUnique otherwise; escape * ? [ ] with a backtick to use them literally). Aliases: Path, FullName, so Get-Item disk.img | New-VbdDevice works."},
  {"name": "FrontendAbi", "type": "XenVbd.Ring.BlkifAbi", "values": ["X86_32", "X86_64"], "pipeline": "True (ByPropertyName)", "default": "X86_64",
   "desc": "The frontend's own ring layout (the guest's bitness). X86_32, X86_64, the protocol strings x86_32-abi / x86_64-abi and 32 / 64 are accepted."},
  {"name": "FrontendMode", "type": "XenVbd.Frontend.FrontendAbiMode", "values": ["Probe", "Announce", "AnnounceAndProbe"], "pipeline": "True (ByPropertyName)", "default": "Probe",
   "desc": "How the frontend finds the backend's layout under -Personality Hardened: Probe (no protocol key, probe and switch), Announce (write the protocol key, no probe), AnnounceAndProbe (both). A real driver's personality fixes its own (PersonalityFixesOption)."},
  {"name": "BackendAbi", "type": "XenVbd.Ring.BlkifAbi", "values": ["X86_32", "X86_64"], "pipeline": "True (ByPropertyName)", "default": "X86_64",
   "desc": "The backend's native layout (dom0's bitness). Accepts the same forms as -FrontendAbi."},
  {"name": "BackendMode", "type": "XenVbd.Backend.BackendAbiMode", "values": ["Protocol", "Native"], "pipeline": "True (ByPropertyName)", "default": "Protocol",
   "desc": "How the backend picks the layout: Protocol lets -BackendPersonality choose as that backend does (Linux blkback reads the frontend's protocol key and assumes x86_32 without one; QEMU 7.2 assumes its native layout, QEMU 10 x86_32); Native always uses -BackendAbi, as a backend from before the key existed. LinuxBlkback2008 never reads the key, so both modes are the same for it."},
  {"name": "BackendPersonality", "type": "XenVbd.Backend.BackendPersonality", "values": ["LinuxBlkback", "LinuxBlkback2008", "Qemu72", "Qemu10"], "pipeline": "True (ByPropertyName)", "default": "LinuxBlkback",
   "desc": "Which real backend dom0 runs: LinuxBlkback (current Linux xen-blkback), LinuxBlkback2008 (the Debian dom0 of 2008 the Xen wiki's GPLPV page was written on: its own layout only, one ring page, READ/WRITE/WRITE_BARRIER only, unknown operations answered ERROR), Qemu72 (QEMU's qdisk as Debian 12 ships it: native default protocol, sectors in logical blocks, no barrier or indirect) or Qemu10 (x86_32 default protocol, 512-byte sectors, InitWait before its feature keys). docs/PERSONALITIES.md lists every behaviour of each with the code it comes from. Tab completion offers the names; any other value stops the cmdlet with a parameter binding error."},
  {"name": "ReorderCompletions", "type": "SwitchParameter", "pipeline": "True (ByPropertyName)", "default": "False",
   "desc": "The backend completes the requests it has in flight in any order, as real backends' bios and aios do: each response waits its service time plus up to one more, drawn from the seed (the same seed gives the same order). Current Linux's barrier still waits for what is in flight before it; its flush does not."},
  {"name": "PersistentGrants", "type": "SwitchParameter", "pipeline": "True (ByPropertyName)", "default": "True",
   "desc": "Whether both ends offer persistent grants (feature-persistent: the feature_persistent parameters of Linux blkback and blkfront, on by default; -PersistentGrants:$false turns both off). With -Personality LinuxBlkfront on LinuxBlkback they are negotiated: blkfront copies every segment through pages that stay granted, and blkback keeps each ring's grants mapped after their request (up to 1056 per ring, purged every 100 ms, unused ones after 60 s), so a grant used again costs no map or unmap; blkfront ends grants blkback dropped every 10 s. Other frontend personalities never write the key. Get-VbdRing and Get-VbdStatistic show PersistentGrantsNegotiated, PersistentGrants (kept now), PersistentGrantHits, GrantMaps, GrantUnmaps and PersistentGrantsPurged. Only LinuxBlkback offers it; LinuxBlkback2008 and QEMU write no such key."},
  {"name": "BackendMaxQueues", "type": "System.Int32", "pipeline": "True (ByPropertyName)", "default": "4",
   "desc": "multi-queue-max-queues the backend writes at probe, 1..64 (Linux: the number of dom0's online CPUs). A frontend may then ask for up to that many rings with multi-queue-num-queues and queue-N/ring-ref, queue-N/event-channel; 0 or more than this is fatal to the connect. Only LinuxBlkback offers multi-queue; Get-VbdRing and Get-VbdStatistic show BackendQueues, the rings connected."},
  {"name": "Queues", "type": "System.Int32", "pipeline": "True (ByPropertyName)", "default": "1",
   "desc": "The most queues (rings) the frontend uses, 1..64 (Linux blkfront's max_queues parameter; the Xen Project driver's DriverGetMaxQueues). The modelled guest has this many vCPUs, which take turns submitting SRBs; blk-mq maps vCPU c to queue c mod the queues in use. The connection uses the smaller of this and -BackendMaxQueues: each queue has its own ring, event channel, request ids and persistent grants, and its keys go under queue-N/ (LinuxBlkfront writes multi-queue-num-queues only for more than one queue, XenProject always). More than 1 needs -Personality LinuxBlkfront or XenProject; the GPLPV drivers and the hardened design have one ring. Get-VbdRing shows one row per queue."},
  {"name": "Bounce", "type": "XenVbd.Frontend.BounceStrategyKind", "values": ["PerSrb", "DeviceBuffer", "SegmentPool"], "pipeline": "True (ByPropertyName)", "default": "PerSrb",
   "desc": "How the frontend handles data buffers that are not 512-byte aligned: PerSrb (a 4 KiB buffer per SRB, several passes for larger transfers; the original GPLPV), DeviceBuffer (one 11-page buffer per device), SegmentPool (bounce per segment from a page pool). Alias: BounceStrategy."},
  {"name": "Personality", "type": "XenVbd.Frontend.FrontendPersonality", "values": ["Hardened", "Gplpv2008a", "Gplpv2008b", "Gplpv2012", "Gplpv2013", "XenProject", "LinuxBlkfront"], "pipeline": "True (ByPropertyName)", "default": "Gplpv2008b",
   "desc": "Which real frontend the guest runs: Gplpv2008a, Gplpv2008b (the driver the Xen wiki's 2008 GPLPV page describes, and the default), Gplpv2012, Gplpv2013, XenProject (win-xenvbd) or LinuxBlkfront; Hardened is this project's own design, never a real driver, and the only one that takes -FrontendMode and -Bounce. A real driver's personality fixes its own protocol key, probe, bounce strategy, response checks, SYNCHRONIZE CACHE and UNMAP handling, FUA and reset behaviour, so -FrontendMode and -Bounce cannot be given with it (PersonalityFixesOption, InvalidArgument). Get-VbdPersonality -Name <name> -Detailed shows every behaviour with the code it was read from. Tab completion offers the names; an unknown name is refused at binding."},
  {"name": "MaxRingPageOrder", "type": "System.Int32", "pipeline": "True (ByPropertyName)", "default": "0",
   "desc": "The largest ring the frontend asks for, as a power of two of pages: 0..4 (1 to 16 pages, 32 to 512 entries)."},
  {"name": "MaxIndirectSegments", "type": "System.Int32", "pipeline": "True (ByPropertyName)", "default": "0",
   "desc": "Indirect segments per request on both sides, 0..4096; 0 means direct requests only (11 segments each)."},
  {"name": "FeatureFlush", "type": "SwitchParameter", "pipeline": "True (ByPropertyName)", "default": "True",
   "desc": "Whether the backend offers feature-flush-cache. On by default; -FeatureFlush:$false turns it off."},
  {"name": "FeatureBarrier", "type": "SwitchParameter", "pipeline": "True (ByPropertyName)", "default": "True",
   "desc": "Whether the backend offers feature-barrier. On by default; -FeatureBarrier:$false turns it off."},
  {"name": "FeatureDiscard", "type": "SwitchParameter", "pipeline": "True (ByPropertyName)", "default": "True",
   "desc": "Whether the backend offers feature-discard (UNMAP). On by default; -FeatureDiscard:$false turns it off, and UNMAP then fails as an unsupported command."},
  {"name": "Seed", "type": "System.UInt64", "pipeline": "True (ByPropertyName)", "default": "1",
   "desc": "The seed of the device's random source. The same seed and the same commands replay the same interleaving, faults and trace."},
  {"name": "RequestTimeout", "type": "System.TimeSpan", "pipeline": "True (ByPropertyName)", "default": "00:00:30",
   "desc": "Virtual time the frontend waits for a response before it resets the ring and resubmits. Takes a TimeSpan or a string such as 00:00:05; above 0 and at most 365 days (virtual time never wraps: a larger value is refused with InvalidDeviceOptions)."},
  {"name": "QueueDepth", "type": "System.Int32", "pipeline": "True (ByPropertyName)", "default": "64",
   "desc": "How many SRBs the frontend accepts at once, 1..4096 (its SRB extensions; more wait in the frontend's queue). Giving -QueueDepth also sizes the guest buffer for that many transfers of up to 1 MiB at once (at most 256 MiB), so Invoke-VbdWorkload -QueueDepth N with any profile fits; -GuestBufferBytes overrides that. A value outside 1..4096 stops the cmdlet with ParameterArgumentValidationError."},
  {"name": "GuestBufferBytes", "type": "System.Int32", "pipeline": "True (ByPropertyName)", "default": "8 MiB, or sized from -QueueDepth when that is given",
   "desc": "Guest memory, in bytes, reserved for Invoke-Srb's data buffer and Invoke-VbdWorkload's per-slot buffers, 4096..1GB. The memory is allocated when the device is created, so keep it as small as the largest workload needs. A value outside 4096..1GB stops the cmdlet with ParameterArgumentValidationError; a workload that does not fit gives InvalidWorkload and says what size it needs."},
  {"name": "BackendServiceTime", "type": "System.TimeSpan", "pipeline": "True (ByPropertyName)", "default": "00:00:00.0000200 (20 us)",
   "desc": "Virtual time the backend spends on each request before it responds: a model of the disk's service time, which sets the virtual IOPS a workload reports. 0 or more; a negative value stops the cmdlet with InvalidDeviceOptions (InvalidArgument)."},
  {"name": "VolatileWriteCache", "type": "SwitchParameter", "pipeline": "True (ByPropertyName)", "default": "False",
   "desc": "Puts a volatile write-back cache in front of the disk, like a drive with its write cache on: writes complete once they are in the cache and reach the disk on SYNCHRONIZE CACHE (a flush request). A PowerCut fault (Add-VbdFault -Kind PowerCut) then drops every write not yet flushed. Without this switch Add-VbdFault refuses a PowerCut rule with PowerCutNeedsWriteCache, since there is nothing volatile to lose."},
  {"name": "UntrustedBackend", "type": "SwitchParameter", "pipeline": "True (ByPropertyName)", "default": "False",
   "desc": "Does not trust the backend with guest memory (XSA-403, Linux blkfront's trusted=0): every read and write, aligned or not, is bounced through frontend-owned pages that are zeroed before they are granted, so the backend never sees a guest buffer page. Costs one copy per byte; with -Bounce DeviceBuffer all I/O then queues behind the one buffer."},
  {"name": "ReconnectAfterUnansweredTimeouts", "type": "System.Int32", "pipeline": "True (ByPropertyName)", "default": "0 (off)",
   "desc": "Turns on the frontend's forced reconnect, 0..100; 0 keeps blkfront's and GPLPV's behaviour. With N, after N request timeouts in a row with no response at all in between, or when SRBs wait for bounce memory (or SRB extensions) that requests of the current connection have pinned for N request timeouts, the frontend closes its side through XenBus (Closing, then Closed once the backend is Closing), waits for the backend to let go, ends its grants (pages the backend still maps stay quarantined and are never reused), and connects again with a fresh zeroed ring and event channel, probing again in Probe mode. SRBs waiting meanwhile go out on the new connection; each SRB still completes exactly once. This recovers a device from a backend restart the frontend never saw and frees bounce memory a lost response pins. Get-VbdStatistic counts it in ForcedReconnects. A value outside 0..100 stops the cmdlet with ParameterArgumentValidationError (InvalidData)."},
  {"name": "NoConnect", "type": "SwitchParameter", "pipeline": "True (ByPropertyName)", "default": "False",
   "desc": "Creates the device without connecting it: no XenBus handshake, no ABI probe, no SRBs yet. Faults added now with Add-VbdFault are in place from the first request on the ring, so the probe's own requests run under them (a probe under delay, a probe that meets a lying backend). Connect-VbdDevice connects the device; until then Invoke-Srb and Invoke-VbdWorkload fail with a message saying so."},
  {"name": "Backend", "type": "XenVbd.Device.VbdBackendKind", "pipeline": "True (ByPropertyName)", "default": "Model",
   "desc": "What serves the ring: Model, the blkback model on the virtual clock (deterministic, every fault injectable), or Qemu, a real QEMU xen-disk process with the Xen stand-in preloaded, in real time."},
  {"name": "QemuPath", "type": "System.String", "pipeline": "True (ByPropertyName)", "default": "/usr/libexec/xen-qemu-system-i386",
   "desc": "With -Backend Qemu: the QEMU binary (a build with Xen support and xen-disk)."},
  {"name": "QemuTimeout", "type": "System.TimeSpan", "pipeline": "True (ByPropertyName)", "default": "00:01:00",
   "desc": "With -Backend Qemu: the longest real time one wait (the handshake, an SRB, a close) takes before it fails with BackendTimeout; also how long QEMU may stay silent with requests on the ring."},
  {"name": "QemuDelayPercent", "type": "System.Int32", "pipeline": "True (ByPropertyName)", "default": "0",
   "desc": "With -Backend Qemu: the share (0..100) of event deliveries, both ways, that the Xen stand-in delays by its seeded schedule (the seed is -Seed): delayed responses from a real backend."},
  {"name": "QemuDelayMaxMilliseconds", "type": "System.Int32", "pipeline": "True (ByPropertyName)", "default": "10",
   "desc": "With -Backend Qemu and -QemuDelayPercent: each delayed event waits 1..this many milliseconds (1..1000)."},
  {"name": "WhatIf", "type": "SwitchParameter", "default": "False", "desc": "Shows what would be created without creating it."},
  {"name": "Confirm", "type": "SwitchParameter", "default": "False", "desc": "Asks before creating the device."},
 ],
 "inputs": [("System.Management.Automation.PSObject", "Objects whose properties match the parameter names (for example rows of a CSV file of device definitions).")],
 "outputs": [("XenVbd.Device.VbdDevice", "The new device. The default view shows its name, state, size, both ABIs, the backend mode and what the probe found.")],
 "examples": [
  ("an in-memory disk", "New-VbdDevice -Name ex-new1 -SizeBytes 16MB\nRemove-VbdDevice -Name ex-new1",
   "Creates a 16 MiB in-memory disk with a 64-bit frontend and backend, shows it, and removes it again."),
  ("a 64-bit guest on a legacy 32-bit dom0", "New-VbdDevice -Name ex-new2 -FrontendAbi X86_64 -BackendAbi X86_32 -BackendMode Native\nRemove-VbdDevice -Name ex-new2",
   "The backend uses its 32-bit layout whatever the frontend says. The frontend's probe sees the second response at the wrong stride and switches to x86_32: the Probe column reads X86_64 -> X86_32 (switched)."),
  ("a device whose backend is a real QEMU", "if (Test-Path /usr/libexec/xen-qemu-system-i386) {\n    $q = New-VbdDevice -Name ex-qemu1 -Backend Qemu -FrontendAbi X86_32\n    $q | Format-List Name, State, FrontendAbi, BackendDescription\n    Invoke-Srb -Name ex-qemu1 -Write -Lba 2048 -BlockCount 8 -BufferAlignment 3\n    Test-VbdIntegrity ex-qemu1\n    Remove-VbdDevice -Name ex-qemu1\n}",
   "Starts QEMU 7.2's xen-disk (with qemu-system-xen installed) behind the module's frontend. The x86_32 frontend probes, finds QEMU reading its native x86_64 layout (there is no protocol key in Probe mode) and switches; the misaligned write is bounced; Test-VbdIntegrity reads it back through QEMU and checks the image file QEMU serves; Remove-VbdDevice stops QEMU and deletes the temporary image."),
  ("a raw image file", "$image = Join-Path ([IO.Path]::GetTempPath()) 'xenvbd-help-example.img'\nNew-VbdDevice -Name ex-new3 -ImagePath $image -SizeBytes 8MB -LogicalSectorSize 4096\nRemove-VbdDevice -Name ex-new3\nRemove-Item $image",
   "Creates an 8 MiB image file with 4 KiB sectors, uses it as the disk, then closes the device (unlocking the file) and deletes the file."),
  ("the 2008 dom0 of the Xen wiki's GPLPV page", "New-VbdDevice -Name ex-new6 -SizeBytes 8MB -BackendPersonality LinuxBlkback2008 -BackendAbi X86_32 | Format-List Name, BackendPersonality, ProbeResult\nRemove-VbdDevice -Name ex-new6",
   "The 2008 blkback reads requests in its own 32-bit layout and answers the probe's unknown operation with ERROR; the 64-bit frontend's probe sees the second response at the 32-bit stride and switches (ProbeResult: Detected X86_32, Switched True)."),
  ("a deep queue, a slow disk and a volatile write cache", "New-VbdDevice -Name ex-new4 -SizeBytes 32MB -QueueDepth 16 -BackendServiceTime 00:00:00.0001 -VolatileWriteCache | Format-List\nInvoke-VbdWorkload -Name ex-new4 -Profile ChkdskBurst -QueueDepth 16 -Count 64\nRemove-VbdDevice -Name ex-new4",
   "Creates a device whose frontend takes 16 SRBs at once; the guest buffer is sized for 16 transfers of up to 1 MiB, so the ChkdskBurst workload at queue depth 16 fits. Format-List shows the device's list view: its options, including QueueDepth, GuestBufferBytes, BackendServiceTime and VolatileWriteCache. Each request takes 100 us of virtual time in the backend, and writes stay in a volatile cache until flushed."),
  ("an untrusted backend that loses responses, and the forced reconnect", "$d = New-VbdDevice -Name ex-new5 -SizeBytes 8MB -UntrustedBackend -ReconnectAfterUnansweredTimeouts 2 -RequestTimeout 00:00:01\nAdd-VbdFault -Device $d -Kind Drop -MaxCount 2 | Out-Null\n1..3 | ForEach-Object { (Invoke-Srb -Device $d -Write -Lba $_ -BlockCount 1 -ErrorAction SilentlyContinue).Result.SrbStatus }\nGet-VbdStatistic -Device $d | Select-Object DeviceName, Timeouts, ForcedReconnects, Reconnects, BouncePasses\nRemove-VbdDevice -Device $d",
   "Every transfer is bounced (BouncePasses counts even these aligned writes). The backend drops the first two responses: both writes time out, and after the second timeout in a row the frontend closes and reconnects its side on its own, so the third write succeeds. The statistics show 2 timeouts, 1 forced reconnect and 1 reconnect."),
  ('Linux blkfront with four queues', '$d = New-VbdDevice -Name ex-mq -SizeBytes 8MB -Personality LinuxBlkfront -Queues 4 -BackendMaxQueues 2\nInvoke-VbdWorkload -Device $d -Pattern Random -ReadFraction 1 -Count 200 -QueueDepth 16 | Out-Null\nGet-VbdRing -Device $d | Format-Table\nRemove-VbdDevice -Device $d',
   'The frontend may use four queues, the backend offers two, so the connection uses two (multi-queue-num-queues = 2, keys under queue-0/ and queue-1/). Get-VbdRing shows one row per queue with the requests each carried; the four vCPUs take turns, so vCPUs 0 and 2 submit on queue 0 and 1 and 3 on queue 1.'),
 ],
 "notes": "Devices live in the PowerShell session (runspace) that created them; removing or re-importing the module closes them.",
 "links": ["Get-VbdDevice", "Remove-VbdDevice", "Invoke-Srb", "Set-BackendAbi"],
},
{
 "name": "Get-VbdDevice",
 "synopsis": "Gets the virtual block devices of this session, all of them or by name.",
 "description": """
Get-VbdDevice returns the devices New-VbdDevice created in this session, in name order. With -Name it returns the named devices; wildcards select several. A plain name that matches no device gives a non-terminating DeviceNotFound error (category ObjectNotFound); a wildcard that matches nothing returns nothing.
""",
 "parameters": [
  {"name": "Name", "type": "System.String[]", "position": 0, "pipeline": "True (ByPropertyName, ByValue)", "wildcards": True, "default": "All devices",
   "desc": "The device name(s) to get; wildcards allowed. Tab completion offers the session's device names. Accepts names from the pipeline and from a Name or DeviceName property."},
 ],
 "inputs": [("System.String", "Device names.")],
 "outputs": [("XenVbd.Device.VbdDevice", "The devices. Useful properties: Name, State, FrontendAbi, BackendAbi, BackendMode, ProbeResult, Statistics, Storage.")],
 "examples": [
  ("every device", "New-VbdDevice -Name ex-get1 -SizeBytes 8MB | Out-Null\nGet-VbdDevice\nRemove-VbdDevice -Name ex-get1",
   "Lists the session's devices with state, size, both ABIs and the probe outcome."),
  ("by wildcard", "'ex-get2a', 'ex-get2b' | ForEach-Object { New-VbdDevice -Name $_ -SizeBytes 8MB } | Out-Null\nGet-VbdDevice -Name ex-get2*\nRemove-VbdDevice -Name ex-get2*",
   "Gets both devices whose names start with ex-get2, then removes them."),
 ],
 "links": ["New-VbdDevice", "Remove-VbdDevice"],
},
{
 "name": "Remove-VbdDevice",
 "synopsis": "Closes virtual block devices and removes them from the session.",
 "description": """
Remove-VbdDevice closes the frontend and the backend of each device (XenBus Closing, Closed), releases the disk (an image file is unlocked) and removes the device from the session. It supports -WhatIf and -Confirm. Devices come from the pipeline or by name (wildcards allowed).

The removal is orderly: on a device created with -VolatileWriteCache, the writes the cache still holds are written back to the disk first, as an orderly shutdown flushes a disk's cache (-Verbose says how many bytes). -Discard drops them instead, as a power cut would, and warns how many bytes were lost; -WhatIf and -Confirm name the bytes either way. Removing or re-importing the module and leaving PowerShell close devices the orderly way too. If the write-back fails, the device is closed anyway and a DeviceRemoveFailed error names the bytes lost.
""" + "\n\n" + ERRORS_DEVICE,
 "parameters": [DEV, NAME(), DEVNAME,
  {"name": "Discard", "type": "SwitchParameter", "default": "False", "desc": "Drops the unflushed writes of a volatile write cache instead of writing them back (what a PowerCut fault does), with a warning saying how many bytes were dropped. Without it the removal flushes first."},
  {"name": "WhatIf", "type": "SwitchParameter", "default": "False", "desc": "Shows which devices would be removed without removing them."},
  {"name": "Confirm", "type": "SwitchParameter", "default": "False", "desc": "Asks before removing each device."}],
 "inputs": DEVICE_INPUTS,
 "outputs": [("None", "Nothing.")],
 "examples": [
  ("remove by name", "New-VbdDevice -Name ex-rm1 -SizeBytes 8MB | Out-Null\nRemove-VbdDevice -Name ex-rm1\n'devices named ex-rm1 left: {0}' -f @(Get-VbdDevice -Name ex-rm1*).Count",
   "Removes one device and shows that it is gone."),
  ("remove from the pipeline, asking first", "New-VbdDevice -Name ex-rm2 -SizeBytes 8MB | Out-Null\nGet-VbdDevice -Name ex-rm2 | Remove-VbdDevice -WhatIf\nRemove-VbdDevice -Name ex-rm2 -Confirm:$false\n'removed'",
   "-WhatIf reports what would happen; the second call removes it without a prompt."),
  ("an orderly removal keeps cached writes; -Discard drops them", "$image = Join-Path ([IO.Path]::GetTempPath()) 'xenvbd-help-rm3.img'\nNew-VbdDevice -Name ex-rm3 -ImagePath $image -SizeBytes 1MB -VolatileWriteCache | Out-Null\nInvoke-Srb -Name ex-rm3 -Write -Lba 8 -BlockCount 1 | Out-Null\nRemove-VbdDevice -Name ex-rm3 -Verbose\nNew-VbdDevice -Name ex-rm3 -ImagePath $image -VolatileWriteCache | Out-Null\n[Text.Encoding]::ASCII.GetString((Invoke-Srb -Name ex-rm3 -Read -Lba 8 -BlockCount 1).Data, 0, 12)\nInvoke-Srb -Name ex-rm3 -Write -Lba 9 -BlockCount 1 | Out-Null\nRemove-VbdDevice -Name ex-rm3 -Discard -WarningAction SilentlyContinue\nRemove-Item $image",
   "The first removal writes the cached block back (the verbose message says 512 bytes), so reopening the image reads it: 'XenVbd LBA 8'. The second removal drops the unflushed write to block 9 with -Discard and warns that 512 bytes were dropped."),
 ],
 "links": ["New-VbdDevice", "Get-VbdDevice"],
},
{
 "name": "Invoke-Srb",
 "sets": ["TestUnitReady", "Read", "Write", "Inquiry", "ReadCapacity", "RequestSense", "ModeSense", "SynchronizeCache", "Unmap", "ReportLuns", "Cdb"],
 "synopsis": "Sends one SCSI request block (SRB) to a device and returns what came back.",
 "description": """
Invoke-Srb builds a CDB, hands it to the device's xenvbd frontend as scsiport would, runs the simulation until the SRB completes and returns an SRB result: the SRB status, the SCSI status, the decoded sense (key, ASC/ASCQ and their names), the data read, and what it cost (ring requests used, bounce passes, bytes bounced, virtual latency).

Friendly parameter sets build the usual CDBs: -Read/-Write -Lba -BlockCount (READ(10)/WRITE(10), or the 16-byte forms past LBA 2^32 or 65535 blocks), -Inquiry [-VpdPage], -ReadCapacity [-Sixteen], -TestUnitReady (the default), -RequestSense, -ModeSense [-PageCode], -SynchronizeCache, -Unmap -Lba -BlockCount, -ReportLuns. -Cdb sends any CDB as given, with -Data or -DataOutLength for data-out and -DataInLength for data-in.

-BufferAlignment puts the data buffer that many bytes past a 512-byte boundary (0..511), to make a misaligned buffer on purpose: the frontend must bounce it, and BouncePasses shows how.

-Write without -Data writes a recognisable pattern (each block repeats "XenVbd LBA <n> | "). Blocks written successfully are remembered for Test-VbdIntegrity.

How failures are reported. A command the device answered - even with CHECK CONDITION, such as an LBA past the end - returns its SRB result, because the SCSI answer is the data you asked for: SrbStatus, ScsiStatus and the sense fields show it. When the SRB did not succeed the cmdlet also writes a non-terminating SrbFailed error whose category follows the sense key (ILLEGAL REQUEST: InvalidArgument, DATA PROTECT: PermissionDenied, MEDIUM ERROR: ReadError/WriteError, NOT READY: ResourceUnavailable) and whose target is the result, so -ErrorAction Stop, try/catch and $? work as usual; use -ErrorAction SilentlyContinue to keep only the result. Input that cannot make a valid SRB is an error before anything is sent and no device changes: a CDB shorter than 6 bytes or than its operation code's group needs (CdbTooShort), longer than 16 (CdbTooLong), -BufferAlignment outside 0..511 (a parameter validation error), -Data that does not fit -BlockCount (DataLengthMismatch), -Write without -BlockCount or -Data (BlockCountMissing).
""",
 "parameters": [DEV, NAME(), DEVNAME,
  {"name": "Read", "type": "SwitchParameter", "required": True, "sets": ["Read"], "desc": "Reads -BlockCount blocks at -Lba (READ(10), or READ(16) when needed)."},
  {"name": "Write", "type": "SwitchParameter", "required": True, "sets": ["Write"], "desc": "Writes at -Lba: -Data, or a test pattern of -BlockCount blocks (WRITE(10) or WRITE(16))."},
  {"name": "Lba", "type": "System.Int64", "required": True, "sets": ["Read", "Write", "Unmap"], "desc": "The first logical block to read, write or unmap (in logical-sector units)."},
  {"name": "BlockCount", "type": "System.Int64", "required": {"Read": True, "Unmap": True}, "sets": ["Read", "Write", "Unmap"], "desc": "The number of logical blocks. With -Write it may be left out when -Data is a whole number of blocks; with both, -Data is padded with zeros to the block count."},
  {"name": "Data", "type": "System.Byte[]", "sets": ["Write", "Cdb"], "desc": "The bytes to send (data-out): for -Write a multiple of the logical sector size (or padded to -BlockCount); for -Cdb the parameter data."},
  {"name": "Inquiry", "type": "SwitchParameter", "required": True, "sets": ["Inquiry"], "desc": "Sends INQUIRY: standard inquiry data, or the VPD page given by -VpdPage."},
  {"name": "VpdPage", "type": "System.Byte", "sets": ["Inquiry"], "desc": "The vital product data page to ask for (0x00 supported pages, 0x80 serial number, 0x83 device identification, 0xB0 block limits, 0xB1, 0xB2)."},
  {"name": "ReadCapacity", "type": "SwitchParameter", "required": True, "sets": ["ReadCapacity"], "desc": "Sends READ CAPACITY(10), or READ CAPACITY(16) with -Sixteen."},
  {"name": "Sixteen", "type": "SwitchParameter", "sets": ["ReadCapacity"], "desc": "Uses READ CAPACITY(16) (SERVICE ACTION IN), which also reports the physical block exponent and provisioning bits."},
  {"name": "TestUnitReady", "type": "SwitchParameter", "sets": ["TestUnitReady"], "desc": "Sends TEST UNIT READY. This is the default when no other command is chosen."},
  {"name": "RequestSense", "type": "SwitchParameter", "required": True, "sets": ["RequestSense"], "desc": "Sends REQUEST SENSE (18 bytes of fixed-format sense)."},
  {"name": "ModeSense", "type": "SwitchParameter", "required": True, "sets": ["ModeSense"], "desc": "Sends MODE SENSE(10) for -PageCode."},
  {"name": "PageCode", "type": "System.Byte", "sets": ["ModeSense"], "default": "0x3F (all pages)", "desc": "The mode page to ask for, 0..63; 0x3F returns all pages, 0x08 the caching page."},
  {"name": "SynchronizeCache", "type": "SwitchParameter", "required": True, "sets": ["SynchronizeCache"], "desc": "Sends SYNCHRONIZE CACHE(10) for the whole disk; the frontend turns it into a flush (or barrier) request."},
  {"name": "Unmap", "type": "SwitchParameter", "required": True, "sets": ["Unmap"], "desc": "Sends UNMAP for -BlockCount blocks at -Lba; the frontend turns it into a discard request."},
  {"name": "ReportLuns", "type": "SwitchParameter", "required": True, "sets": ["ReportLuns"], "desc": "Sends REPORT LUNS."},
  {"name": "Cdb", "type": "System.Byte[]", "required": True, "sets": ["Cdb"], "desc": "A raw CDB, 6 to 16 bytes, at least as long as its operation code's group needs (6, 10, 12 or 16)."},
  {"name": "DataOutLength", "type": "System.Int32", "sets": ["Cdb"], "default": "the length of -Data, else 0", "desc": "Bytes of data-out for -Cdb. Without -Data, that many zero bytes are sent; with -Data it must equal -Data's length."},
  {"name": "DataInLength", "type": "System.Int32", "sets": ["Cdb"], "default": "0", "desc": "Bytes of data-in to expect for -Cdb (the buffer length)."},
  {"name": "BufferAlignment", "type": "System.Int32", "default": "0", "desc": "The data buffer's offset from a 512-byte boundary, 0..511. Anything but 0 makes the buffer misaligned, so the frontend bounces it."},
  {"name": "NoWait", "type": "SwitchParameter", "sets": ["Write", "SynchronizeCache"], "default": "False", "desc": 'With -Write or -SynchronizeCache: hands the SRB to the frontend and returns at once, writing nothing. It completes as the device runs, during the next command that waits, so a guest can flush while its writes are still in flight (what lab 08, PowerCut, does before it cuts the power). Blocks written this way are not remembered for Test-VbdIntegrity.'},
 ],
 "inputs": DEVICE_INPUTS,
 "outputs": [("XenVbd.PowerShell.VbdSrbResult", "One result per device: DeviceName, Command, Cdb/CdbHex, Lba, BlockCount, BufferAlignment, SrbStatus, AutosenseValid, ScsiStatus, Succeeded, SenseKey, Asc, Ascq (numbers), SenseCode (ASC/ASCQ in hex, \"21/00\", as the Sense text writes them), SenseKeyName, AdditionalSenseName, Sense, SenseData, Data, DataLength, DataOutLength, Bytes, RequestsUsed, BouncePasses, BytesBounced, Latency, and the engine's Result.")],
 "examples": [
  ("write with a misaligned buffer and read it back", "$d = New-VbdDevice -Name ex-srb1 -SizeBytes 16MB\nInvoke-Srb -Device $d -Write -Lba 100 -BlockCount 8 -BufferAlignment 3\n$read = Invoke-Srb -Device $d -Read -Lba 100 -BlockCount 8 -BufferAlignment 3\n$read\n[Text.Encoding]::ASCII.GetString($read.Data, 0, 32)\nRemove-VbdDevice -Device $d",
   "Both SRBs use a buffer 3 bytes past a sector boundary, so the frontend bounces them (Bounce column). The data read back starts with the pattern -Write wrote: XenVbd LBA 100 | ..."),
  ("an LBA past the end", "$d = New-VbdDevice -Name ex-srb2 -SizeBytes 1MB\nInvoke-Srb -Device $d -Read -Lba 5000 -BlockCount 1 -ErrorAction SilentlyContinue | Format-List Command, SrbStatus, ScsiStatus, SenseKeyName, AdditionalSenseName, SenseCode\nRemove-VbdDevice -Device $d",
   "The device answers CHECK CONDITION with ILLEGAL REQUEST / LOGICAL BLOCK ADDRESS OUT OF RANGE (21/00). The result shows it; the SrbFailed error is suppressed here with -ErrorAction SilentlyContinue."),
  ("INQUIRY, a VPD page and the capacity", "$d = New-VbdDevice -Name ex-srb3 -SizeBytes 16MB\n$d | Invoke-Srb -Inquiry\n$d | Invoke-Srb -Inquiry -VpdPage 0x83\n$cap = $d | Invoke-Srb -ReadCapacity -Sixteen\n'last LBA {0}' -f [BitConverter]::ToUInt64([byte[]]($cap.Data[7..0]), 0)\nRemove-VbdDevice -Device $d",
   "Pipes the device into Invoke-Srb; READ CAPACITY(16) returns the last LBA big-endian in bytes 0..7."),
  ("a raw CDB", "$d = New-VbdDevice -Name ex-srb4 -SizeBytes 16MB\nInvoke-Srb -Device $d -Cdb 0x12, 0, 0, 0, 36, 0 -DataInLength 36 | Select-Object Command, CdbHex, ScsiStatus, DataLength\nRemove-VbdDevice -Device $d",
   "Sends a 6-byte INQUIRY CDB as given and asks for 36 bytes."),
  ("unmap, flush, test unit ready, mode sense, request sense, report LUNs", "$d = New-VbdDevice -Name ex-srb5 -Personality Hardened -SizeBytes 16MB\nInvoke-Srb -Device $d -Unmap -Lba 0 -BlockCount 64\nInvoke-Srb -Device $d -SynchronizeCache\nInvoke-Srb -Device $d\nInvoke-Srb -Device $d -ModeSense -PageCode 0x08\nInvoke-Srb -Device $d -RequestSense\nInvoke-Srb -Device $d -ReportLuns\nRemove-VbdDevice -Device $d",
   "The other friendly parameter sets under the hardened design, which puts UNMAP and SYNCHRONIZE CACHE on the ring as DISCARD and FLUSH_DISKCACHE (GPLPV 2008b, the default, answers both ILLEGAL REQUEST); a plain Invoke-Srb sends TEST UNIT READY."),
  ('a flush while a write is still in flight, then a power cut', '$d = New-VbdDevice -Name ex-srbnowait -SizeBytes 16MB -VolatileWriteCache -Personality LinuxBlkfront\nInvoke-Srb -Device $d -Write -Lba 8 -BlockCount 8 -NoWait\nInvoke-Srb -Device $d -SynchronizeCache | Format-List Command, SrbStatus\n$null = Add-VbdFault -Device $d -Kind PowerCut -MaxCount 1\n(Invoke-Srb -Device $d -Read -Lba 8 -BlockCount 1).Data[0]\nRemove-VbdDevice -Device $d',
   'The flush reaches the backend while the write is still in flight, so it does not cover it: after the cut the block reads back as zeros (0).'),
 ],
 "links": ["Test-VbdIntegrity", "Get-VbdRing", "Get-VbdStatistic"],
},
{
 "name": "Set-BackendAbi",
 "synopsis": "Moves a live device to a backend (dom0) of another bitness and/or ABI mode, and reports what the frontend did.",
 "description": """
Set-BackendAbi models live migration to another dom0: the frontend suspends (in-flight requests are pulled back), the old blkback goes away, a new one with the given ABI and mode appears, and the frontend reconnects - probing again in Probe mode - and resubmits what was in flight. The result says which backend it was and is now, the frontend's ring layout before and after, whether it re-probed and switched, how many SRBs were resubmitted and the frontend's state. The name is kept from the lab's first users.

The device's fault plan (Add-VbdFault) belongs to the device, not to one backend: its rules keep acting on the new backend from its first request, so the re-probe and the resubmitted requests meet them too, and Get-VbdFault lists exactly the rules in force.

-Mode defaults to the device's current backend mode. The cmdlet supports -WhatIf and -Confirm.
""" + "\n\n" + ERRORS_DEVICE,
 "parameters": [DEV, NAME(), DEVNAME,
  {"name": "Abi", "type": "XenVbd.Ring.BlkifAbi", "values": ["X86_32", "X86_64"], "required": True, "position": 1, "pipeline": "True (ByPropertyName)",
   "desc": "The new backend's native ABI: X86_32 or X86_64 (or x86_32-abi, x86_64-abi, 32, 64). Alias: BackendAbi."},
  {"name": "Mode", "type": "XenVbd.Backend.BackendAbiMode", "values": ["Protocol", "Native"], "position": 2, "pipeline": "True (ByPropertyName)", "default": "The device's current backend mode",
   "desc": "How the new backend picks the layout: Protocol (as its personality does: Linux reads the protocol key, x86_32 without one; QEMU 7.2 native without one, QEMU 10 x86_32) or Native (its own layout). Alias: BackendMode."},
  {"name": "BackendPersonality", "type": "XenVbd.Backend.BackendPersonality", "values": ["LinuxBlkback", "LinuxBlkback2008", "Qemu72", "Qemu10"], "pipeline": "True (ByPropertyName)", "default": "The device's current backend personality",
   "desc": "Which real backend the new dom0 runs (see New-VbdDevice -BackendPersonality and docs/PERSONALITIES.md)."},
  {"name": "WhatIf", "type": "SwitchParameter", "default": "False", "desc": "Shows the migration without doing it."},
  {"name": "Confirm", "type": "SwitchParameter", "default": "False", "desc": "Asks before migrating each device."}],
 "inputs": DEVICE_INPUTS,
 "outputs": [("XenVbd.Device.MigrationResult", "OldBackendPersonality, NewBackendPersonality, OldBackendAbi, OldBackendMode, NewBackendAbi, NewBackendMode, FrontendAbiBefore, FrontendAbiAfter, Reprobed, Switched, SrbsResubmitted, State, plus DeviceName.")],
 "examples": [
  ("from a legacy 32-bit dom0 to a 64-bit one", "$d = New-VbdDevice -Name ex-mig1 -FrontendAbi X86_64 -BackendAbi X86_32 -BackendMode Native\nSet-BackendAbi -Device $d -Abi X86_64 -Mode Native\nRemove-VbdDevice -Device $d",
   "The frontend had switched to x86_32 for the old backend; after the move it probes again and goes back to x86_64 (Frontend ring X86_32 -> X86_64)."),
  ("by name, to a protocol-reading dom0", "New-VbdDevice -Name ex-mig2 -BackendAbi X86_32 -BackendMode Native | Out-Null\nSet-BackendAbi ex-mig2 64 Protocol\nRemove-VbdDevice -Name ex-mig2",
   "A Protocol-mode backend reads the frontend's protocol key; a probing frontend writes none, so the backend assumes x86_32 and the frontend keeps that layout."),
  ("to a dom0 that runs QEMU's qdisk", "New-VbdDevice -Name ex-mig3 -SizeBytes 8MB | Out-Null\nSet-BackendAbi ex-mig3 64 Protocol -BackendPersonality Qemu72 | Format-List NewBackendPersonality, FrontendAbiAfter, Reprobed\nRemove-VbdDevice -Name ex-mig3",
   "QEMU 7.2 takes a frontend without a protocol key to speak its native layout, x86_64 here, so the probing frontend finds x86_64 again where a Linux dom0 would have made it x86_32."),
 ],
 "links": ["New-VbdDevice", "Get-VbdRing", "Get-VbdXenStore"],
},
{
 "name": "Get-VbdRing",
 "sets": ["Ring", "InFlight"],
 "synopsis": "Gets a device's shared ring as the frontend sees it: layout, indices and the requests in flight.",
 "description": """
Get-VbdRing returns a snapshot of the device's blkif ring: the ABI the frontend uses now (which changes when the probe switches layout), the ring-page-order and size, the shared indices (req_prod, req_event, rsp_prod, rsp_event), the frontend's private rsp_cons, and each request in flight with its slot, id, operation, sector and segments.

The default view draws the ring, one character per slot: R for a request waiting for the backend, r for a response not yet consumed, . for a free slot, with P under the slot req_prod points at and C under rsp_cons. Format-Table shows the indices as a table. With -InFlight the cmdlet returns one object per request in flight instead.

Without -Name or -Device it returns the ring of every device in the session.
""" + "\n\n" + ERRORS_DEVICE,
 "parameters": [DEV, NAME(), DEVNAME,
  {"name": "InFlight", "type": "SwitchParameter", "required": True, "sets": ["InFlight"], "desc": "Returns the requests in flight (slot, ring index, id, operation, sector, segments, age, orphaned) instead of the ring."}],
 "inputs": DEVICE_INPUTS,
 "outputs": [("XenVbd.Frontend.RingSnapshot", "The ring (default): Abi, RingPageOrder, Size, ReqProd, ReqEvent, RspProd, RspEvent, ReqProdPvt, RspCons, Outstanding, InFlight, plus DeviceName and the backend's side of persistent grants and multi-queue: BackendQueues (rings connected), PersistentGrantsNegotiated, PersistentGrants (kept mapped now), PersistentGrantHits, GrantMaps, GrantUnmaps, PersistentGrantsPurged."),
             ("XenVbd.Frontend.RingSlotInfo", "With -InFlight: one object per request in flight.")],
 "examples": [
  ("see the ring and its layout", "$d = New-VbdDevice -Name ex-ring1 -FrontendAbi X86_64 -BackendAbi X86_32 -BackendMode Native\nInvoke-Srb -Device $d -Write -Lba 0 -BlockCount 64 | Out-Null\nGet-VbdRing -Device $d\nRemove-VbdDevice -Device $d",
   "Draws the ring after a write: the layout line says X86_32, 32 entries x 108 bytes, because the probe switched the 64-bit frontend to the backend's 32-bit layout; P and C mark the producer and consumer."),
  ("indices as a table, and the slots in flight", "$d = New-VbdDevice -Name ex-ring2 -SizeBytes 16MB\nGet-VbdRing -Device $d | Format-Table\nGet-VbdRing -Device $d -InFlight\nRemove-VbdDevice -Device $d",
   "The table view lists the indices; -InFlight returns nothing here because every SRB has completed by the time Invoke-Srb returns."),
 ],
 "links": ["Get-BlkifLayout", "Set-BackendAbi", "Export-VbdTrace"],
},
{
 "name": "Get-VbdXenStore",
 "synopsis": "Gets the XenStore keys of a device's frontend and backend, with both XenBus states.",
 "description": """
Get-VbdXenStore returns one object per XenStore key in the frontend's device directory (/local/domain/1/device/vbd/<id>) and the backend's (/local/domain/0/backend/vbd/1/<id>): ring-ref or ring-page-order and ring-ref0..N, event-channel, protocol when the frontend announced one, the backend's features, sectors, sector sizes, info, and each half's state. State keys are decoded (4 (Connected)), and each entry carries its half's XenBus state, which the default view shows in the group header.

Without -Name or -Device it returns the keys of every device.
""" + "\n\n" + ERRORS_DEVICE,
 "parameters": [DEV, NAME(), DEVNAME,
  {"name": "Key", "type": "System.String[]", "position": 1, "wildcards": True, "default": "All keys", "desc": "Only keys whose name (relative to the half's directory) matches, e.g. state, protocol, feature-*."},
  {"name": "Side", "type": "System.String", "values": ["Frontend", "Backend"], "default": "Both", "desc": "Only the frontend's or only the backend's keys."}],
 "inputs": DEVICE_INPUTS,
 "outputs": [("XenVbd.PowerShell.VbdXenStoreEntry", "DeviceName, Side, Directory, SideState, Path, Key, Value, State (decoded for state keys) and Display.")],
 "examples": [
  ("the handshake's outcome", "$d = New-VbdDevice -Name ex-xs1 -Personality Hardened -FrontendMode Announce\nGet-VbdXenStore -Device $d -Key state, protocol, ring-ref*, event-channel, feature-*\nRemove-VbdDevice -Device $d",
   "An announcing frontend writes protocol = x86_64-abi; both halves are in state 4 (Connected)."),
  ("only the backend's keys", "$d = New-VbdDevice -Name ex-xs2 -SizeBytes 8MB -ReadOnly\nGet-VbdXenStore -Device $d -Side Backend\nRemove-VbdDevice -Device $d",
   "Shows what blkback published: sectors (512-byte units), sector-size, info 4 (read-only), mode r and the features."),
 ],
 "links": ["New-VbdDevice", "Set-BackendAbi"],
},
{
 "name": "Get-VbdStatistic",
 "synopsis": "Gets a device's frontend counters: SRBs, ring requests, bytes, bounce passes, probes, ABI switches, timeouts and resets.",
 "description": """
Get-VbdStatistic returns a copy of the frontend's statistics for each device: SRBs submitted, completed and failed, ring requests (and indirect ones), bytes read and written, bounce passes and bytes bounced, probes and ABI switches, timeouts, resets, requeues, reconnects (ForcedReconnects: the ones the frontend started itself, see New-VbdDevice -ReconnectAfterUnansweredTimeouts), notifications and interrupts (spurious ones too), late responses and ring-full waits.

Without -Name or -Device it returns the statistics of every device.
""" + "\n\n" + ERRORS_DEVICE,
 "parameters": [DEV, NAME(), DEVNAME],
 "inputs": DEVICE_INPUTS,
 "outputs": [("XenVbd.Frontend.FrontendStatistics", "The counters, plus DeviceName and the backend's grant counters: BackendQueues, PersistentGrantsNegotiated, PersistentGrants (kept mapped now), PersistentGrantHits, GrantMaps, GrantUnmaps, PersistentGrantsPurged. The default table shows the main ones; Format-List * shows all.")],
 "examples": [
  ("what misaligned I/O cost", "$d = New-VbdDevice -Name ex-stat1 -SizeBytes 16MB\n0..3 | ForEach-Object { Invoke-Srb -Device $d -Write -Lba ($_ * 16) -BlockCount 16 -BufferAlignment 1 } | Out-Null\nGet-VbdStatistic -Device $d\nRemove-VbdDevice -Device $d",
   "Four 8 KiB writes from a misaligned buffer: the Bounces and Bounced columns show the copies the per-SRB bounce buffer made."),
  ("every counter", "$d = New-VbdDevice -Name ex-stat2 -SizeBytes 8MB\nGet-VbdStatistic -Name ex-stat2 | Format-List *\nRemove-VbdDevice -Device $d",
   "Lists all counters of one device."),
  ("grant maps with and without persistent grants", "$d = New-VbdDevice -Name ex-stat3 -SizeBytes 8MB -PersistentGrants:$false\nInvoke-Srb -Device $d -Write -Lba 0 -BlockCount 8 | Out-Null\nGet-VbdStatistic -Device $d | Format-List GrantMaps, GrantUnmaps, PersistentGrants*\nRemove-VbdDevice -Device $d",
   "With persistent grants off every grant the backend maps is unmapped after its request: GrantMaps equals GrantUnmaps and PersistentGrantsNegotiated is False."),
 ],
 "links": ["Invoke-Srb", "Get-VbdRing"],
},
{
 "name": "Reset-VbdDevice",
 "synopsis": "Resets a device the way a SCSI bus reset does: pending SRBs complete with BUS RESET and the frontend recovers.",
 "description": """
Reset-VbdDevice sends the frontend a bus reset (SRB_FUNCTION_RESET_BUS, what storport sends after a timeout), as the device's personality does it: under the Hardened personality (this project's design) every pending SRB completes exactly once with SRB_STATUS_BUS_RESET, and a device that is Broken (it answers HARDWARE ERROR, and Get-VbdDevice shows its FailureReason) or whose ring slots are all held by requests the backend never answered also closes and reconnects its side through XenBus, so it is Ready again when the cmdlet returns. Under a real driver's personality the reset is that driver's: GPLPV 2008 does nothing, GPLPV 2012 completes only queued SRBs, GPLPV 2013 and the Xen Project driver complete everything but never get unanswered ring slots back; a warning then says what is held. The data on the disk is not touched. It supports -WhatIf and -Confirm; -PassThru returns the device.
""" + "\n\n" + ERRORS_DEVICE,
 "parameters": [DEV, NAME(), DEVNAME,
  {"name": "PassThru", "type": "SwitchParameter", "default": "False", "desc": "Returns the device after the reset."},
  {"name": "WhatIf", "type": "SwitchParameter", "default": "False", "desc": "Shows which devices would be reset."},
  {"name": "Confirm", "type": "SwitchParameter", "default": "False", "desc": "Asks before resetting each device."}],
 "inputs": DEVICE_INPUTS,
 "outputs": [("XenVbd.Device.VbdDevice", "With -PassThru, the device. Otherwise nothing.")],
 "examples": [
  ("reset and keep going", "$d = New-VbdDevice -Name ex-reset1 -SizeBytes 8MB\nReset-VbdDevice -Device $d -PassThru\nInvoke-Srb -Device $d -Write -Lba 0 -BlockCount 1\nRemove-VbdDevice -Device $d",
   "The device is Ready again after the reset and takes new SRBs."),
  ("bring back a device whose ring lost its answers", "$d = New-VbdDevice -Name ex-reset2 -Personality Hardened -SizeBytes 1MB -RequestTimeout 00:00:01\nAdd-VbdFault -Device $d -Kind Drop -Rate 1 -MaxCount 32\n1..33 | ForEach-Object { (Invoke-Srb -Device $d -Read -Lba 0 -BlockCount 1 -ErrorAction SilentlyContinue).SrbStatus }\nReset-VbdDevice -Device $d\n(Invoke-Srb -Device $d -Read -Lba 0 -BlockCount 1).SrbStatus\nRemove-VbdDevice -Device $d",
   "Under the hardened design: 32 reads time out and leave their requests on the ring; the 33rd waits a request timeout for a slot and times out too, with a warning that says the slots are held. The reset reconnects and the next read succeeds. (Under GPLPV 2008b, the default, the reset does nothing and the reads never complete.)"),
 ],
 "links": ["Get-VbdStatistic", "Invoke-Srb", "Get-VbdPersonality"],
},
{
 "name": "Export-VbdTrace",
 "synopsis": "Writes a device's ring trace to a file, as JSON lines or in the Chrome trace-event format.",
 "description": """
Every device records ring events (SRB start and completion, bounces, requests consumed, responses pushed, notifications, faults) in a fixed-size trace with virtual timestamps. Export-VbdTrace writes it to -Path: JSON lines (one object per line: t_us, kind, dev, a, b, c, d) for tools, or the Chrome trace-event format for chrome://tracing or Perfetto (ui.perfetto.dev): one process per device with named tracks - "domU frontend: SRBs" (each SRB a slice from submit to completion), "ring: requests" (each ring request from push to its response, with ring slot, id, sector, operation and status), "dom0 backend + disk" (blkback's service of each request), "event channel", "XenBus + ABI probe", "faults + rejections" - timestamps in microseconds of virtual time and every argument under its name. -Format Auto (the default) chooses JSON lines for .jsonl/.ndjson and the Chrome format otherwise. The trace keeps the most recent 65536 events; a warning says how many older ones were dropped.

An existing file is overwritten unless -NoClobber is given; a folder that does not exist is an error. Supports -WhatIf and -Confirm.
""" + "\n\n" + ERRORS_DEVICE,
 "parameters": [DEV, NAME(), DEVNAME,
  {"name": "Path", "type": "System.String", "required": True, "position": 1, "desc": "The file to write, relative to the current PowerShell location; a symbolic link is followed. One file holds one device's trace: when several devices come in one command, a second device aimed at the same file is refused (TraceFileAlreadyWritten) rather than written over the first; give each its own file, or give -Path an existing folder and each device goes to <name>.json (<name>.jsonl with -Format JsonLines) in it. A path on another provider is refused (NotAFileSystemPath). Alias: FilePath."},
  {"name": "Format", "type": "XenVbd.PowerShell.Cmdlets.VbdTraceFormat", "values": ["Auto", "JsonLines", "ChromeTrace"], "default": "Auto", "desc": "JsonLines, ChromeTrace, or Auto (by extension)."},
  {"name": "NoClobber", "type": "SwitchParameter", "default": "False", "desc": "Refuses to overwrite an existing file (a non-terminating ResourceExists error). Alias: NoOverwrite."},
  {"name": "WhatIf", "type": "SwitchParameter", "default": "False", "desc": "Shows what would be written."},
  {"name": "Confirm", "type": "SwitchParameter", "default": "False", "desc": "Asks before writing."}],
 "inputs": DEVICE_INPUTS,
 "outputs": [("System.IO.FileInfo", "The file written.")],
 "examples": [
  ("JSON lines", "$d = New-VbdDevice -Name ex-trace1 -SizeBytes 8MB\nInvoke-Srb -Device $d -Write -Lba 0 -BlockCount 4 -BufferAlignment 5 | Out-Null\n$file = Join-Path ([IO.Path]::GetTempPath()) 'xenvbd-help-trace.jsonl'\nExport-VbdTrace -Device $d -Path $file\nGet-Content $file -TotalCount 3\nRemove-Item $file\nRemove-VbdDevice -Device $d",
   "Writes the trace of one misaligned write as JSON lines and shows the first events."),
  ("for chrome://tracing", "$d = New-VbdDevice -Name ex-trace2 -SizeBytes 8MB\n$file = Join-Path ([IO.Path]::GetTempPath()) 'xenvbd-help-trace.json'\nExport-VbdTrace -Device $d -Path $file -Format ChromeTrace\nRemove-Item $file\nRemove-VbdDevice -Device $d",
   "Writes the Chrome trace-event format; open the file in chrome://tracing or ui.perfetto.dev."),
 ],
 "links": ["Get-VbdRing"],
},
{
 "name": "Test-VbdIntegrity",
 "synopsis": "Reads back every block this session wrote to a device and returns whether all of them still hold what was written.",
 "description": """
Invoke-Srb remembers a hash of every logical block it wrote successfully (UNMAP forgets the blocks it discards). Test-VbdIntegrity reads all those blocks back through the device - one READ per run of consecutive blocks, up to 128 blocks each - and compares. It returns $true when every block matches and $false otherwise; -Verbose names each bad block (lost, torn, misdirected or stale data all show as a mismatch). A progress bar appears for 256 blocks or more, and Ctrl+C stops the check cleanly.

Nothing checked is not a pass: on a device the session never wrote to (a re-opened image, a fresh device, or one a workload overwrote) Test-VbdIntegrity writes a warning and returns no Boolean at all, so `Test-VbdIntegrity d | Should -BeTrue` fails there. -Detailed returns a VbdIntegrityResult per device instead: Outcome (Passed, Failed or NothingChecked), BlocksChecked, BadBlocks and Passed (True only for Passed). Without -Name or -Device it checks every device.
""" + "\n\n" + ERRORS_DEVICE,
 "parameters": [DEV, NAME(), DEVNAME,
  {"name": "Detailed", "type": "SwitchParameter", "default": "False", "desc": "Returns a VbdIntegrityResult (DeviceName, Outcome, BlocksChecked, BadBlocks, Passed) per device instead of a Boolean, also for a device where nothing was checked (Outcome NothingChecked)."}],
 "inputs": DEVICE_INPUTS,
 "outputs": [("System.Boolean", "One value per device that had blocks to check: $true when every block written in this session reads back unchanged, $false otherwise. None (and a warning) for a device with nothing to check."),
             ("XenVbd.PowerShell.VbdIntegrityResult", "With -Detailed: the outcome (Passed, Failed, NothingChecked) and the block counts it rests on.")],
 "examples": [
  ("after a migration", "$d = New-VbdDevice -Name ex-int1 -FrontendAbi X86_64 -BackendAbi X86_32 -BackendMode Native\nInvoke-Srb -Device $d -Write -Lba 10 -BlockCount 32 -BufferAlignment 7 | Out-Null\nSet-BackendAbi -Device $d -Abi X86_64 -Mode Native | Out-Null\nTest-VbdIntegrity -Device $d -Verbose\nRemove-VbdDevice -Device $d",
   "Writes 32 blocks from a misaligned buffer, moves the device to a 64-bit dom0 and checks that the data survived: True."),
  ("nothing checked", "$d = New-VbdDevice -Name ex-int2\nTest-VbdIntegrity -Device $d -Detailed -WarningAction SilentlyContinue\nRemove-VbdDevice -Device $d",
   "A device this session never wrote to: Outcome NothingChecked, BlocksChecked 0, Passed False (and without -Detailed, a warning and no Boolean)."),
 ],
 "links": ["Invoke-Srb", "Set-BackendAbi"],
},
]

COMMANDS += [
{
 "name": "Add-VbdFault",
 "synopsis": "Adds a fault rule to a device's fault plan; the backend applies it to the requests it matches from then on.",
 "description": """
Each device has a fault plan that can change at run time, like a device-mapper table. Add-VbdFault adds one rule: what it does (-Kind: Latency, Reorder, Duplicate, Drop, Error, NotSupported, BadId, WrongOp, RspProdJump, LostNotification, SpuriousEventStorm, Disconnect, Migration, BadSectors, SlowStorage, PowerCut, SwappedId), how often (-Rate), on what (-Operation, -FirstSector/-EndSector in 512-byte sectors), when (-Start, -End, -Period with -ActiveFor, in virtual time) and how many times (-MaxCount). Latency rules take -Delay, -MaxDelay and -Distribution (Fixed, Uniform, Exponential, Pareto with -ParetoAlpha). Faults draw from the device's seeded random source, so the same seed replays them exactly.

The rule is returned with its Id (for Remove-VbdFault) and an Injected counter that grows as it fires. The plan belongs to the device, not to the backend serving it now: after Set-BackendAbi, a Migration or Disconnect rule, or Reset-VbdDevice, the same rules act on whichever backend serves the device. A rule the engine rejects (for example a rate outside 0..1 or an empty sector range) gives a non-terminating InvalidFaultRule error and the plan is unchanged.

PowerCut is a timed fault (it fires at -Start, and every -Period if given; one already due, as with the default -Start 0, fires as it is added, so the very next request sees the loss): it drops the writes the device's volatile write cache holds that no flush has reached the disk. Only a device created with New-VbdDevice -VolatileWriteCache has such a cache; on any other device a PowerCut rule could drop nothing, so Add-VbdFault refuses it with a non-terminating PowerCutNeedsWriteCache error (InvalidOperation) and the plan is unchanged.

SwappedId answers one request with the id of another request the backend has consumed and not yet answered, chosen from the rule's seeded stream: the frontend sees an answer for a request it has in flight, so its response checks pass, and what follows is its real driver's (Get-VbdPersonality <name> -Detailed, behaviour ResponseChecks). A request consumed while no other is in flight is not a chance: the rule waits for one, so -MaxCount 1 means one answer that really carries another id. The rule's LastSwap says which answer carried which request's id.
""" + "\n\n" + ERRORS_DEVICE,
 "parameters": [DEV, NAME(), DEVNAME,
  {"name": "Kind", "type": "XenVbd.Faults.FaultKind", "required": True, "position": 1, "values": ["Latency", "Reorder", "Duplicate", "Drop", "Error", "NotSupported", "BadId", "WrongOp", "RspProdJump", "LostNotification", "SpuriousEventStorm", "Disconnect", "Migration", "BadSectors", "SlowStorage", "PowerCut", "SwappedId"], "desc": "What the rule does."},
  {"name": "Rate", "type": "System.Double", "default": "1", "desc": "Probability, 0..1, that a matching request is hit."},
  {"name": "Operation", "type": "XenVbd.Faults.FaultOps", "default": "All", "desc": "Which operations the rule matches (Read, Write, Flush, Discard, ... or All)."},
  {"name": "FirstSector", "type": "System.Int64", "default": "0", "desc": "First 512-byte sector of the range the rule matches."},
  {"name": "EndSector", "type": "System.Int64", "default": "the end of the disk", "desc": "End (exclusive) of the range the rule matches."},
  {"name": "Start", "type": "System.TimeSpan", "default": "0", "desc": "Virtual time from which the rule is active."},
  {"name": "End", "type": "System.TimeSpan", "default": "never", "desc": "Virtual time at which the rule stops."},
  {"name": "Period", "type": "System.TimeSpan", "default": "none", "desc": "Makes the rule intermittent: active for -ActiveFor at the start of every period."},
  {"name": "ActiveFor", "type": "System.TimeSpan", "default": "none", "desc": "With -Period: how long of each period the rule is active."},
  {"name": "MaxCount", "type": "System.Int64", "default": "0 (no limit)", "desc": "Stops the rule after it fired this many times."},
  {"name": "Delay", "type": "System.TimeSpan", "default": "1 ms", "desc": "For Latency and Reorder: the fixed delay, the uniform minimum, the exponential mean or the Pareto scale (virtual time; 30 seconds costs no wall time). Every TimeSpan of a rule (-Start, -End, -Period, -ActiveFor, -Delay, -MaxDelay) lies in 0 to 365 days; beyond that the rule is refused (InvalidFaultRule) naming the parameter."},
  {"name": "MaxDelay", "type": "System.TimeSpan", "default": "10 x -Delay", "desc": "The largest delay (uniform maximum, cap of the exponential and Pareto tails)."},
  {"name": "Distribution", "type": "XenVbd.Faults.LatencyShape", "values": ["Fixed", "Uniform", "Exponential", "Pareto"], "default": "Fixed", "desc": "The shape of the delay distribution."},
  {"name": "ParetoAlpha", "type": "System.Double", "default": "1.5", "desc": "The tail index of a Pareto (long-tail) delay."},
  {"name": "BytesPerSecond", "type": "System.Int64", "default": "10 MiB/s", "desc": "For SlowStorage: how fast the storage serves bytes."},
  {"name": "MigrateTo", "type": "XenVbd.Ring.BlkifAbi", "values": ["X86_32", "X86_64"], "default": "X86_32", "desc": "For Migration: the bitness of the dom0 the backend moves to."},
  {"name": "FaultName", "type": "System.String", "default": "None", "desc": "A label for the rule, shown in tables and reports."},
  {"name": "WhatIf", "type": "SwitchParameter", "default": "False", "desc": "Shows the rule without adding it."},
  {"name": "Confirm", "type": "SwitchParameter", "default": "False", "desc": "Asks before adding the rule."}],
 "inputs": DEVICE_INPUTS,
 "outputs": [("XenVbd.Faults.FaultRule", "The rule added, with Id, Kind, Rate, Target, Latency, MaxCount, Injected and DeviceName.")],
 "examples": [
  ("answer one read with the id of another read in flight", "$d = New-VbdDevice -Name ex-fault-swap -SizeBytes 16MB -Personality XenProject\n$rule = Add-VbdFault -Device $d -Kind SwappedId -Operation Read -MaxCount 1\n$r = Invoke-VbdWorkload -Device $d -ReadFraction 1 -Count 200 -LengthBytes 1MB -QueueDepth 8 -NoVerify\n(Get-VbdFault -Device $d -Id $rule.Id).LastSwap\nRemove-VbdDevice -Device $d -Confirm:$false", "The Xen Project driver completes the SRB whose id the answer carried, ignores that request's own answer when it comes, and the reset after the request timeout fails the SRB whose answer was taken: LastSwap names the two requests."),
  ("slow half of the responses", "$d = New-VbdDevice -Name ex-fault1 -SizeBytes 16MB\nAdd-VbdFault -Device $d -Kind Latency -Delay 00:00:00.005 -Rate 0.5\nInvoke-Srb -Device $d -Read -Lba 0 -BlockCount 8\nRemove-VbdDevice -Device $d",
   "Half the responses come 5 ms (virtual) late; the SRB's Latency shows it when it is hit."),
  ("long-tail latency on reads of one range", "$d = New-VbdDevice -Name ex-fault2 -SizeBytes 16MB\nAdd-VbdFault -Device $d -Kind Latency -Operation Read -FirstSector 0 -EndSector 2048 -Distribution Pareto -Delay 00:00:00.001 -MaxDelay 00:00:02 -FaultName tail\nRemove-VbdDevice -Device $d",
   "Reads of the first MiB get Pareto-distributed delays of 1 ms up to 2 s."),
 ],
 "links": ["Get-VbdFault", "Remove-VbdFault", "Invoke-VbdWorkload"],
},
{
 "name": "Get-VbdFault",
 "synopsis": "Gets the fault rules of devices, with how often each has fired.",
 "description": """
Get-VbdFault returns the rules in each device's fault plan, in the order they were added, with their Injected counters. Without -Name or -Device it returns the rules of every device; -Id selects rules.
""" + "\n\n" + ERRORS_DEVICE,
 "parameters": [DEV, NAME(), DEVNAME,
  {"name": "Id", "type": "System.Int32[]", "pipeline": "True (ByPropertyName)", "default": "All rules", "desc": "Only the rules with these ids."}],
 "inputs": DEVICE_INPUTS,
 "outputs": [("XenVbd.Faults.FaultRule", "The rules, with DeviceName.")],
 "examples": [
  ("what fired", "$d = New-VbdDevice -Name ex-gf1 -SizeBytes 16MB\nAdd-VbdFault -Device $d -Kind Latency -Delay 00:00:00.001 | Out-Null\n0..9 | ForEach-Object { Invoke-Srb -Device $d -Read -Lba $_ -BlockCount 1 } | Out-Null\nGet-VbdFault -Device $d\nRemove-VbdDevice -Device $d",
   "The Injected column counts the responses the rule delayed."),
 ],
 "links": ["Add-VbdFault", "Remove-VbdFault"],
},
{
 "name": "Remove-VbdFault",
 "sets": ["Id", "All"],
 "synopsis": "Removes fault rules from a device's fault plan, by id or all of them.",
 "description": """
Remove-VbdFault takes rules out of a device's fault plan; requests after that are no longer affected (responses already delayed still arrive). -Id removes given rules (an unknown id gives a non-terminating FaultNotFound error), -All empties the plan. Supports -WhatIf and -Confirm; rules piped from Get-VbdFault bind by their Id and DeviceName.
""" + "\n\n" + ERRORS_DEVICE,
 "parameters": [DEV, NAME(), DEVNAME,
  {"name": "Id", "type": "System.Int32[]", "required": True, "sets": ["Id"], "position": 1, "pipeline": "True (ByPropertyName)", "desc": "The ids of the rules to remove."},
  {"name": "All", "type": "SwitchParameter", "required": True, "sets": ["All"], "desc": "Removes every rule of the device."},
  {"name": "WhatIf", "type": "SwitchParameter", "default": "False", "desc": "Shows which rules would be removed."},
  {"name": "Confirm", "type": "SwitchParameter", "default": "False", "desc": "Asks before removing."}],
 "inputs": DEVICE_INPUTS + [("XenVbd.Faults.FaultRule", "Rules from Get-VbdFault (Id and DeviceName bind by property name).")],
 "outputs": [("None", "Nothing.")],
 "examples": [
  ("remove one rule, then all", "$d = New-VbdDevice -Name ex-rf1 -SizeBytes 16MB\n$rule = Add-VbdFault -Device $d -Kind Error -Rate 0.1\nAdd-VbdFault -Device $d -Kind Latency | Out-Null\nRemove-VbdFault -Device $d -Id $rule.Id\nGet-VbdFault -Device $d\nRemove-VbdFault -Device $d -All\n'rules left: {0}' -f @(Get-VbdFault -Device $d).Count\nRemove-VbdDevice -Device $d",
   "Removes the error rule by id, shows the latency rule left, then empties the plan."),
 ],
 "links": ["Add-VbdFault", "Get-VbdFault"],
},
{
 "name": "Invoke-VbdWorkload",
 "synopsis": "Runs a fio-style workload with per-block verification on a device and returns IOPS, bandwidth, latency percentiles and integrity violations.",
 "description": """
Invoke-VbdWorkload drives many SRBs through the device at once (-QueueDepth) in a -Pattern (Random or Sequential) with a -ReadFraction, block sizes from -BlockSize or a -Profile (WindowsMix: mostly 512 B, rarely 4 KiB, very rarely 8 KiB, with chkdsk-like bursts; ChkdskBurst: large transfers), and a -MisalignedFraction of buffers at -AlignmentOffsets bytes past a sector boundary. It stops after -Count I/Os or -Duration of virtual time, whichever comes first; only the limits you give apply: -Duration alone runs for that virtual time, -Count alone for that many I/Os, neither gives 1000 I/Os, and -Count 0 runs for -Duration (1 second unless given).

Every written block carries a header (LBA, write generation, seed, checksum) so each read detects lost, torn, misdirected or stale data (fio verify); -NoVerify turns that off. Active fault rules apply. A progress bar shows I/Os done, virtual time, errors and violations; Ctrl+C in an interactive console stops the workload cleanly and returns what was measured so far (Cancelled is True), with a warning; later piped devices are not started. When the pipeline itself is stopped from outside (PowerShell.Stop(), a signal, another host's Ctrl+C) PowerShell takes no more output, so the warning says so and the partial result is kept in $VbdLastWorkload. Every early-stopped run also leaves its result in $VbdLastWorkload.

The workload's headers overwrite what Invoke-Srb wrote, so Test-VbdIntegrity forgets the session's earlier writes on that device. Verification covers one run: run a further workload on a fresh device, since headers left by an earlier run with the same seed are reported as violations. Guest buffers are limited: a large -QueueDepth with large blocks gives an InvalidWorkload error naming the sizes.

With -Personality (names or wildcards; * for every one) and no -Device or -Name, the workload runs once per frontend personality named, in the catalogue's order (Get-VbdPersonality), each on a fresh device that New-VbdDevice creates the way New-VbdLabDevice does (64 MiB, the workload's -Seed, guest buffers for -QueueDepth transfers, -DeviceOptions on top) and Remove-VbdDevice removes afterwards. Each result carries its Personality, and the table shows it. An -Action gets that device as $args[1]. With -Device or -Name, -Personality may only name the device's own personality; another one is a PersonalityConflictsWithDevice error (InvalidArgument), a name no personality has is PersonalityNotFound (ObjectNotFound), and -DeviceOptions without fresh devices is InvalidWorkload.
""" + "\n\n" + ERRORS_DEVICE,
 "parameters": [DEV, NAME(), DEVNAME,
  {"name": "Pattern", "type": "XenVbd.Workload.IoPattern", "values": ["Random", "Sequential"], "default": "Random", "desc": "Random or sequential offsets."},
  {"name": "ReadFraction", "type": "System.Double", "default": "0.5", "desc": "Share of reads, 0..1."},
  {"name": "BlockSize", "type": "System.Int32", "default": "4096", "desc": "Transfer size in bytes with -Profile Fixed (a multiple of the logical sector size)."},
  {"name": "Profile", "type": "XenVbd.PowerShell.Cmdlets.VbdBlockSizeProfile", "values": ["Fixed", "WindowsMix", "ChkdskBurst"], "default": "Fixed", "desc": "The block-size distribution: Fixed (-BlockSize), WindowsMix or ChkdskBurst."},
  {"name": "MisalignedFraction", "type": "System.Double", "default": "0", "desc": "Share of I/Os whose buffer is misaligned, 0..1."},
  {"name": "AlignmentOffsets", "type": "System.Int32[]", "default": "engine default", "desc": "Offsets (1..511 bytes past a sector boundary) misaligned buffers are drawn from."},
  {"name": "QueueDepth", "type": "System.Int32", "default": "8", "desc": "SRBs in flight at once, 1..256."},
  {"name": "Count", "type": "System.Int64", "default": "1000 when -Duration is not given either", "desc": "Number of I/Os; 0 runs until -Duration. With -Duration, the run stops at whichever comes first."},
  {"name": "Duration", "type": "System.TimeSpan", "default": "no limit (1 second with -Count 0)", "desc": "Virtual-time limit. Given alone, the run lasts this long whatever the count; with -Count, the run stops at whichever comes first."},
  {"name": "Seed", "type": "System.UInt64", "default": "1", "desc": "The workload's seed (offsets, sizes, mix)."},
  {"name": "NoVerify", "type": "SwitchParameter", "default": "False", "desc": "Skips headers and read verification."},
  {"name": "FlushEvery", "type": "System.Int32", "default": "0", "desc": "Issues SYNCHRONIZE CACHE every this many writes; 0 never."},
  {"name": "WorkloadName", "type": "System.String", "default": "the device name", "desc": "The name the result and progress bar carry."},
  {"name": "OffsetBytes", "type": "System.Int64", "default": "0", "desc": "Where the workload's region of the disk starts, in bytes (a multiple of the logical sector size). Several workloads on one device each verify against a region they alone wrote."},
  {"name": "LengthBytes", "type": "System.Int64", "default": "0 (to the end of the disk)", "desc": "How many bytes the workload's region spans, from -OffsetBytes."},
  {"name": "BlockSizeMix", "type": "System.Collections.Hashtable", "default": "None (-Profile / -BlockSize)", "desc": "A block-size mix like fio's bssplit: transfer size in bytes to weight, e.g. @{ 512 = 0.9; 4096 = 0.08; 8192 = 0.02 }. Overrides -Profile and -BlockSize. Sizes must be multiples of 512 up to 4 MiB and weights positive, else InvalidWorkload."},
  {"name": "AssumeZeroedDisk", "type": "SwitchParameter", "default": "False", "desc": "Blocks the workload has not written must read back as zeros, as on a fresh disk; without it such reads are not judged. Use it on a device just created, to catch reads that return stale or foreign data."},
  {"name": "RetryCount", "type": "System.Int32", "default": "0 (no retries)", "desc": "The class driver's retries, 0..100: an SRB that fails transiently (a timeout, a bus reset) is sent again up to this many times, with exponential back-off from -RetryDelay and no circuit breaker. The result's Retries counts them."},
  {"name": "RetryDelay", "type": "System.TimeSpan", "default": "00:00:00.1", "desc": "Virtual time before the first retry; it doubles, with jitter from the seed, for each further one, and every delay is a whole number of milliseconds (so a seed replays the same retries under PowerShell 7 and Windows PowerShell 5.1)."},
  {"name": "AtCompletion", "type": "System.Int64[]", "default": "None", "desc": "Completion counts (1 or more) at which -Action runs, in the middle of the workload, on the simulation's own clock: the same seed runs it at the same point every time. Give -AtCompletion and -Action together, else InvalidWorkload."},
  {"name": "Action", "type": "System.Management.Automation.ScriptBlock", "default": "None", "desc": "A script block run at each count of -AtCompletion, with the count as $_ (and $args[0]): add or remove a fault (Add-VbdFault -Kind Migration for a migration, -Kind BadId for a lying backend), for example. Its output is discarded. The device's fault plan is attached for the whole run, so the result's Faults count what the action added. If the block throws, the workload stops issuing, drains what is in flight, returns its result and writes a WorkloadActionFailed error."},
  {"name": "Personality", "type": "System.String[]", "wildcards": True, "default": "None (the device's own)", "desc": "Runs the workload on a fresh device per frontend personality named (wildcards; * for every one), one result each with its Personality. With -Device or -Name it may only name that device's personality."},
  {"name": "DeviceOptions", "type": "System.Collections.Hashtable", "default": "None", "desc": "New-VbdDevice parameters for the fresh devices -Personality creates, on top of 64 MiB, the workload's -Seed and guest buffers for its queue depth, e.g. @{ SizeBytes = 128MB; RequestTimeout = '00:00:05' }."}],
 "inputs": DEVICE_INPUTS,
 "outputs": [("XenVbd.Workload.WorkloadResult", "Operations, reads, writes, IOPS and bandwidth in virtual and wall time, Latency percentiles (P50Us .. P9999Us), bounce passes and bytes, ring requests, probes, ABI switches, retries, timeouts, resets, faults by kind, ViolationCount and Violations, plus DeviceName.")],
 "examples": [
  ("the same workload under every frontend personality", "Invoke-VbdWorkload -Personality * -Count 300 -MisalignedFraction 0.3 -AssumeZeroedDisk",
   "One fresh device per personality, in the catalogue's order: each row names its Personality; ViolationCount must be 0 under every one."),
  ("a lying backend under the GPLPV drivers", "Invoke-VbdWorkload -Personality Gplpv20* -Count 400 -AssumeZeroedDisk -AtCompletion 100 -Action { Add-VbdFault -Device $args[1] -Kind SwappedId -MaxCount 1 | Out-Null } |\n    Format-Table Personality, Operations, Stuck, Errors",
   "After 100 completions one answer carries the id of another request in flight: each GPLPV generation completes the wrong SRB, leaves the one served hanging (Stuck) and stops on the named request's own answer."),
  ("the Windows mix with misaligned buffers", "$d = New-VbdDevice -Name ex-wl1 -SizeBytes 64MB\nInvoke-VbdWorkload -Device $d -Profile WindowsMix -QueueDepth 2 -Count 500 -MisalignedFraction 0.3 -AlignmentOffsets 1, 7\nRemove-VbdDevice -Device $d",
   "500 verified I/Os of the Windows I/O mix the Xen wiki's 2008 GPLPV page describes, 30% from misaligned buffers: BouncePasses (Format-List) counts the copies, ViolationCount must be 0."),
  ("under injected latency", "$d = New-VbdDevice -Name ex-wl2 -SizeBytes 64MB\nAdd-VbdFault -Device $d -Kind Latency -Distribution Exponential -Delay 00:00:00.002 -MaxDelay 00:00:00.050 | Out-Null\n$r = Invoke-VbdWorkload -Device $d -Count 300 -BlockSize 8192\n$r\n$r.Latency | Format-List P50Us, P99Us, P999Us\nRemove-VbdDevice -Device $d",
   "Exponentially distributed response delays widen the latency percentiles."),
  ("a migration in the middle of the workload", "$d = New-VbdDevice -Name ex-wl3 -SizeBytes 64MB -BackendMode Native\n$r = Invoke-VbdWorkload -Device $d -Count 600 -AssumeZeroedDisk -AtCompletion 300 -Action { Add-VbdFault -Device $d -Kind Migration -MigrateTo X86_32 }\n$r | Format-List Operations, Probes, AbiSwitches, ViolationCount\nGet-VbdMigration -Device $d\nRemove-VbdDevice -Device $d",
   "After 300 completions the backend moves to a 32-bit dom0 that ignores the protocol key; the frontend probes again, switches its ring layout, resubmits what was in flight, and every byte still verifies."),
  ("a size mix on one region of the disk, with retries", "$d = New-VbdDevice -Name ex-wl4 -SizeBytes 64MB\nInvoke-VbdWorkload -Device $d -BlockSizeMix @{ 512 = 0.9; 4096 = 0.1 } -OffsetBytes 8MB -LengthBytes 4MB -RetryCount 4 -Count 200\nRemove-VbdDevice -Device $d",
   "Mostly 512-byte transfers within 8..12 MiB of the disk; transient failures would be retried up to four times."),
  ("a bus reset at a chosen point", "$d = New-VbdDevice -Name ex-wl5\n$r = Invoke-VbdWorkload -Device $d -Count 500 -RetryCount 4 -AtCompletion 100 -Action { Reset-VbdDevice -Device $d -Confirm:$false }\n$r | Format-List Operations, Resets, Retries, Errors, ViolationCount\nRemove-VbdDevice -Device $d",
   "After 100 completions scsiport resets the bus: the SRBs in flight complete with BUS RESET and the class driver's retries send them again, so nothing fails and every byte verifies. Without -RetryCount those SRBs count as errors."),
 ],
 "links": ["Add-VbdFault", "Get-VbdMigration", "Invoke-VbdLab", "Test-VbdIntegrity"],
},
{
 "name": "Invoke-VbdLab",
 "synopsis": "Runs lab scripts -- the fault-injection labs shipped with the module, or a folder of your own -- returns their results and optionally writes the report folder.",
 "description": """
A lab is a PowerShell script on the module's own cmdlets: it creates devices, adds faults, runs verified workloads, migrates, checks what happened and returns a lab result (New-VbdLabResult) holding its checks, findings, metrics, workloads and plot points. Get-Help about_XenVbd_Labs shows how to write one.

The labs shipped with the module (in its Labs folder) reproduce the Xen wiki's 2008 GPLPV page's hard cases: MisalignedBuffers (bounce buffers against aligned I/O), BitnessMatrix (frontend ABI x backend ABI x backend mode, and frontend mode under the hardened design), DelayedResponses (latency up to seconds, the probe under delay, responses later than the watchdog), Migration (a live workload while the backend moves to a dom0 of the other bitness), RogueBackend (a backend that lies: bad id, wrong operation, rsp_prod jump, duplicate) and ChkdskBurst (large misaligned transfers through the bounce path).

Each lab runs under a frontend personality (Get-VbdPersonality lists them; the module's default, Gplpv2008b, is the GPLPV driver the Xen wiki's 2008 GPLPV page describes) and states, for each of its cases, the outcome the real driver has there, with the behaviour that decides it and that behaviour's source: GPLPV 2012 stops the device where a response id indexes past its 64-entry shadow array, Linux blkfront flags a bad response and leaves the I/O hanging, GPLPV of November 2008 keeps the stale layout after a migration. A lab passes when the model reproduces the real driver's outcome, and fails (a regression) when it stops happening; the failure names the case, the expected and observed outcome, the behaviour, its source and what the checkers (hang detector on the virtual clock, exactly-once, integrity) saw. -Personality * runs every lab under every personality, one result per lab and personality; the default table shows them side by side (Result, Personality, Name, Expected, Observed; Format-Table -View XenVbd.Lab.LabResult.Checks shows seeds, findings and the first failure), and the HTML report gets a grid of labs against personalities. A progress bar counts the runs; with -ReportPath the report is rewritten after each run, so Ctrl+C keeps every run that finished (so does -OutVariable). Lab results piped back in (Name and Personality bind by property name) run again, each under its own personality.

Invoke-VbdLab runs the labs named by -Name (names, number prefixes such as 03, or wildcards; tab completion offers them), or every lab, from the shipped folder or the folders and files given to -Path (every *.ps1 there except Pester suites, *.Tests.ps1, the helpers they dot-source, *.Helpers.ps1, and runners, Invoke-*.ps1). Each script gets -Seed and, when given, -Personality and -DeviceOptions. Devices a script leaves behind are removed. A lab fails when a check fails, when its script throws (the error and where become a failure), when it returns no lab result, names itself other than its file, ignores the seed, or checks nothing. Each result says whether the lab passed, what it found, its failures, its metrics, and the command that replays it exactly (with -Path for a lab of your own). With -ReportPath the cmdlet writes results.json (byte-identical for the same seed), junit.xml, timings.json and, in PowerShell 7, index.html with the plots into that folder after the last lab. An unknown lab name gives a non-terminating LabNotFound error; a -Path with no lab scripts gives LabPathNotFound.
""",
 "parameters": [
  {"name": "Name", "type": "System.String[]", "position": 0, "pipeline": "True (ByPropertyName, ByValue)", "wildcards": True, "default": "All labs of the folder", "desc": "The labs to run, by name (the script's file name without its number prefix: MisalignedBuffers, BitnessMatrix, DelayedResponses, Migration, RogueBackend, ChkdskBurst for the shipped ones), by number prefix (01..06) or by wildcard."},
  {"name": "Path", "type": "System.String[]", "pipeline": "True (ByPropertyName)", "default": "The module's Labs folder", "desc": "Folders of lab scripts, or lab script files, to run instead of the shipped labs. Relative paths are relative to the current location. Binds the FullName property of piped objects, so Get-ChildItem ./my-labs/*.ps1 | Invoke-VbdLab runs each file (its file name, bound to -Name, matches it). Alias: FullName."},
  {"name": "Seed", "type": "System.UInt64", "default": "1", "desc": "The seed every lab runs with; the same seed gives the same results."},
  {"name": "Personality", "type": "System.String[]", "pipeline": "True (ByPropertyName)", "wildcards": True, "default": "The module's default, Gplpv2008b", "desc": "Frontend personalities to run each lab under, by name or wildcard (* for all, in Get-VbdPersonality's order); each lab runs once under each, one result each. Tab completion offers the names. An unknown name gives a non-terminating PersonalityNotFound error."},
  {"name": "DeviceOptions", "type": "System.Collections.Hashtable", "default": "None", "desc": "New-VbdDevice parameters each lab adds to every device it creates, e.g. @{ RequestTimeout = '00:00:10' }; passed to each script as -DeviceOptions."},
  {"name": "ReportPath", "type": "System.String", "default": "None (no report)", "desc": "A folder to write results.json, junit.xml, timings.json and index.html into; created if missing. Rewritten after each run when several labs or personalities run."}],
 "inputs": [("System.String", "Lab names.")],
 "outputs": [("XenVbd.Lab.LabResult", "Name, Personality, Seed, Passed, Expected, Observed, Outcomes (each case: Case, Expected, Observed, Behaviour, Because, Source, SourceText, Evidence), Findings, Failures, Metrics, Workloads, Points, WallTime, ScriptPath and ReplayCommand.")],
 "examples": [
  ("one lab", "Invoke-VbdLab -Name Migration -Seed 7",
   "Runs the migration lab under the default personality: GPLPV of November 2008 keeps the probe's result across the resume, so after the move to a 32-bit dom0 its ring keeps the stale 64-bit layout, which is the real driver's outcome (PASS)."),
  ("one lab under every personality", "Invoke-VbdLab -Name RogueBackend -Personality *\n(Invoke-VbdLab -Name RogueBackend -Personality Gplpv2012).Outcomes",
   "One row per personality, side by side: the hardened design goes Broken, GPLPV stops the device where an id indexes past its shadows, the Xen Project driver ignores unknown ids, Linux blkfront hangs. The second command lists each case with the behaviour and its source."),
  ("two labs with a report", "$report = Join-Path ([IO.Path]::GetTempPath()) 'xenvbd-help-lab'\nInvoke-VbdLab -Name BitnessMatrix, RogueBackend -ReportPath $report\nGet-ChildItem $report | Select-Object Name, Length\nRemove-Item -Recurse $report",
   "Runs two labs, then lists the report files they produced."),
  ("a lab of your own", "$folder = Join-Path ([IO.Path]::GetTempPath()) 'xenvbd-help-mylabs'\n$null = New-Item -ItemType Directory -Force $folder\nSet-Content (Join-Path $folder 'SlowStorage.ps1') @'\nparam([UInt64] $Seed = 1, [hashtable] $DeviceOptions = @{})\n$lab = New-VbdLabResult -Name SlowStorage -Seed $Seed\n$d = New-VbdDevice -Name slow-lab -Seed $lab.SeedFor('device') @DeviceOptions\n$null = Add-VbdFault -Device $d -Kind SlowStorage -BytesPerSecond 10MB\n$r = Invoke-VbdWorkload -Device $d -Count 200 -Seed $lab.SeedFor('workload') -AssumeZeroedDisk\n$null = $lab.CheckWorkload('slow storage', $r, $false)\n$null = $lab.Check($r.Latency.P50Us -ge 390, \"p50 $($r.Latency.P50Us) us is faster than 4 KiB at 10 MB/s\")\n$lab.Find(\"4 KiB at 10 MB/s: p50 $($r.Latency.P50Us) us.\")\n$lab\n'@\nInvoke-VbdLab -Path $folder -Seed 3\nRemove-Item -Recurse $folder",
   "Writes a small lab script and runs it like a shipped one; its replay command names its path. Get-Help about_XenVbd_Labs builds a fuller one step by step."),
 ],
 "notes": "labs/Invoke-DefaultLab.ps1 runs every lab and prints a summary; labs/0N-*.ps1 run one lab each and labs/0N-*.Tests.ps1 run it as a Pester suite (Invoke-Pester ./labs). Get-Help about_XenVbd_Labs: how to write a lab.",
 "links": ["New-VbdLabResult", "New-VbdLabDevice", "Get-VbdPersonality", "Invoke-VbdWorkload", "Add-VbdFault", "about_XenVbd_Labs"],
},
{
 "name": "New-VbdLabDevice",
 "synopsis": "Creates the device for one step of a lab: New-VbdDevice with a name and seed from the step, the lab's personality and its -DeviceOptions.",
 "description": """
Every lab creates one or more devices, each for a step ('rogue BadId', 'migration'). New-VbdLabDevice makes that device the same way in every lab: it is named <lab>-<step> (characters other than letters and digits become '-'), seeded with $lab.SeedFor('<step>') so adding a step leaves the others' seeds alone, 64 MiB in memory with a queue depth of 8 and 8 MiB of guest buffers, under the lab's personality (New-VbdLabResult -Personality). -With adds or overrides New-VbdDevice parameters for this device; the lab's -DeviceOptions (New-VbdLabResult -DeviceOptions) go on top of those. The device is created by New-VbdDevice itself, so its errors are New-VbdDevice's (for example PersonalityFixesOption for -Bounce under a real driver). It supports -WhatIf and -Confirm.
""",
 "parameters": [
  {"name": "Lab", "type": "XenVbd.Lab.LabResult", "required": True, "position": 0, "desc": "The lab's result from New-VbdLabResult: its name, seed, personality and device options."},
  {"name": "Step", "type": "System.String", "required": True, "position": 1, "desc": "The step the device is for; it names and seeds the device."},
  {"name": "With", "type": "System.Collections.Hashtable", "position": 2, "default": "None", "desc": "New-VbdDevice parameters for this device, e.g. @{ BackendMode = 'Native'; FrontendAbi = 'X86_64' }."},
  {"name": "WhatIf", "type": "SwitchParameter", "default": "False", "desc": "Shows the device that would be created."},
  {"name": "Confirm", "type": "SwitchParameter", "default": "False", "desc": "Asks before creating it."}],
 "inputs": [("None", "Nothing is read from the pipeline.")],
 "outputs": [("XenVbd.Device.VbdDevice", "The device, connected as New-VbdDevice leaves it.")],
 "examples": [
  ("a step's device", "$lab = New-VbdLabResult -Name Demo -Seed 3 -Personality LinuxBlkfront\n$d = New-VbdLabDevice $lab 'first step' @{ BackendMode = 'Native' }\n$d | Format-List Name, Personality, BackendMode\nRemove-VbdDevice -Device $d",
   "Creates Demo-first-step under Linux blkfront with a Native backend, seeded from the step."),
 ],
 "links": ["New-VbdLabResult", "New-VbdDevice", "Invoke-VbdLab", "about_XenVbd_Labs"],
},
{
 "name": "Connect-VbdDevice",
 "synopsis": "Connects a device created with New-VbdDevice -NoConnect: the XenBus handshake and the ABI probe run now, under the faults already added.",
 "description": """
New-VbdDevice normally connects the device before it returns. With -NoConnect it does not, so faults can be added first; Connect-VbdDevice then runs the XenBus handshake (Initialising to Connected) and, in Probe mode, the frontend's ABI probe, with every fault rule already in place: a Latency rule holds back the probe's two operation-0xff requests like any other. It returns the device, whose ProbeResult shows the probe's round trips, its start and end in virtual time (StartTicks, CompleteTicks, DurationTicks in 100 ns ticks) and the layout it chose. It supports -WhatIf and -Confirm.

A device that is already connected gives a non-terminating AlreadyConnected error (InvalidOperation) and is left as it is.
""" + "\n\n" + ERRORS_DEVICE,
 "parameters": [DEV, NAME(), DEVNAME,
  {"name": "WhatIf", "type": "SwitchParameter", "default": "False", "desc": "Shows which devices would be connected."},
  {"name": "Confirm", "type": "SwitchParameter", "default": "False", "desc": "Asks before connecting each device."}],
 "inputs": DEVICE_INPUTS,
 "outputs": [("XenVbd.Device.VbdDevice", "The device, connected (State Ready, LayoutMismatch or Broken).")],
 "examples": [
  ("the probe under a slow backend", "$d = New-VbdDevice -Name ex-conn1 -NoConnect\n$null = Add-VbdFault -Device $d -Kind Latency -Delay 00:00:00.5\n$d = Connect-VbdDevice -Device $d\n$d.ProbeResult | Format-List RoundTrips, DurationTicks, Detected, Switched\nRemove-VbdDevice -Device $d",
   "Every response is 500 ms late from the first request on, so the probe takes at least 500 ms of virtual time (DurationTicks 5000000 or more)."),
 ],
 "links": ["New-VbdDevice", "Add-VbdFault", "Get-VbdDevice"],
},
{
 "name": "Get-VbdMigration",
 "synopsis": "Lists the migrations a device's fault plan carried out (Add-VbdFault -Kind Migration), each with what the frontend did.",
 "description": """
A Migration fault moves the device's backend to a dom0 of another bitness (Add-VbdFault -Kind Migration -MigrateTo X86_32): the frontend suspends, pulls back what was in flight, reconnects to the new backend -- probing again in Probe mode -- and resubmits. Get-VbdMigration lists each move in order: the backend's ABI and mode before and after, the frontend's ring layout before and after, whether it probed again (Reprobed) and switched, how many SRBs it resubmitted and the state it ended in. A device without a fault plan lists nothing. Without -Name or -Device it lists the migrations of every device in the session. Set-BackendAbi returns its own migration result directly.
""" + "\n\n" + ERRORS_DEVICE,
 "parameters": [DEV, NAME(), DEVNAME],
 "inputs": DEVICE_INPUTS,
 "outputs": [("XenVbd.Device.MigrationResult", "OldBackendAbi, OldBackendMode, NewBackendAbi, NewBackendMode, FrontendAbiBefore, FrontendAbiAfter, Reprobed, Switched, SrbsResubmitted, LayoutChanged, State, plus DeviceName.")],
 "examples": [
  ("two moves during a workload", "$d = New-VbdDevice -Name ex-mig1 -BackendMode Native\n$null = Invoke-VbdWorkload -Device $d -Count 400 -AtCompletion 100, 200 -Action { Add-VbdFault -Device $d -Kind Migration -MigrateTo $(if ($_ -eq 100) { 'X86_32' } else { 'X86_64' }) }\nGet-VbdMigration -Device $d\nRemove-VbdDevice -Device $d",
   "The backend moves to a 32-bit dom0 after 100 completions and back after 200; each row shows the re-probe and the ring layout changing."),
 ],
 "links": ["Add-VbdFault", "Invoke-VbdWorkload", "Set-BackendAbi"],
},
{
 "name": "New-VbdLabResult",
 "synopsis": "Starts the result of a lab script: its name, seed and frontend personality, then its expected outcomes, checks, findings, metrics, workloads and plot points.",
 "description": """
A lab script returns one lab result; Invoke-VbdLab collects it, writes it into results.json, junit.xml and the HTML report, and prints its replay command. New-VbdLabResult creates it empty. The script then fills it with the result's methods:

$lab.Check(<condition>, '<what went wrong>'): records a failure unless the condition holds; returns the condition.

$lab.CheckWorkload('<label>', $workloadResult, $false): adds a workload (plots, results.json) and checks nothing stuck, nothing completed twice, no integrity violation, something completed and, with $false, no failed I/O.

$lab.Find('<sentence>'): adds a finding the summary and the report show.

$lab.Metric('<name>', <number>): a named number (results.json lists them sorted).

$lab.Point('<plot>', '<series>', <x>, <y>): a point of the lab's own plot in the report.

$lab.SeedFor('<step>'): a seed for one device or workload, derived from the lab's seed and the step's name, so adding a step does not move the others.

$lab.Expect('<case>', '<Outcome>', '<BehaviourId>'): states the outcome the real driver has in the case (one word: Broken, Hangs, Stopped, Intact, StaleLayout, ...) and the id of the personality's behaviour that decides it (Get-VbdPersonality <name> -Detailed lists them); its summary and source go with the outcome. An unknown behaviour id, an empty outcome or a case stated twice is an error.

$lab.Observe('<case>', '<Outcome>', '<evidence>'): records what the model showed; a failure naming the expected outcome, the behaviour and its source unless they agree.

$lab.ObserveWorkload('<case>', $workloadResult, "$($device.State)", $device.FailureReason): adds the workload and observes the case from it: Stopped (the model stopped the device where the real driver touches memory outside its structures), Corrupt (integrity violations), Twice (an SRB completed twice), Hangs (SRBs never completed, the hang detector on the virtual clock), Broken, Errors or Intact, with what each checker saw as the evidence. $lab.Evidence($workloadResult) gives that evidence alone; $lab.AddWorkload('<label>', $workloadResult) adds a workload for the plots without checking it.

Passed is true while no check failed and every expected outcome was observed as expected; Failures, Findings, Metrics, Workloads and Points hold what was added; ChecksMade counts the checks. -Name must be the lab script's file name without its number prefix and -Seed the seed the script was given: Invoke-VbdLab fails a lab otherwise, since its replay command would not replay it.
""",
 "parameters": [
  {"name": "Name", "type": "System.String", "required": True, "position": 0, "desc": "The lab's name: its script's file name without the number prefix (03-DelayedResponses.ps1 is DelayedResponses)."},
  {"name": "Seed", "type": "System.UInt64", "required": True, "position": 1, "desc": "The seed the lab runs from, as the script received it."},
  {"name": "Personality", "type": "System.String", "default": "The module's default, Gplpv2008b", "desc": "The frontend personality the lab's devices run, as the script received it (empty or omitted for the default). An unknown name is a terminating PersonalityNotFound error. A Personality key in -DeviceOptions is taken when -Personality is not given; both, naming two, is InvalidDeviceOptions."},
  {"name": "DeviceOptions", "type": "System.Collections.Hashtable", "default": "None", "desc": "New-VbdDevice parameters every device New-VbdLabDevice makes for this lab gets, as the script received them."}],
 "inputs": [("None", "Nothing is read from the pipeline.")],
 "outputs": [("XenVbd.Lab.LabResult", "An empty lab result: Name, Seed, Personality, Passed (true), and empty Outcomes, Findings, Failures, Metrics, Workloads and Points.")],
 "examples": [
  ("a lab in five lines", "$lab = New-VbdLabResult -Name Tiny -Seed 5\n$d = New-VbdDevice -Name ex-lab1 -Seed $lab.SeedFor('device')\n$r = Invoke-VbdWorkload -Device $d -Count 100 -Seed $lab.SeedFor('workload') -AssumeZeroedDisk\n$null = $lab.CheckWorkload('100 random 4 KiB I/Os', $r, $false)\n$lab.Find(\"$($r.Operations) I/Os, $($r.ViolationCount) violations.\")\nRemove-VbdDevice -Device $d\n$lab",
   "Builds a lab result by hand: one verified workload, its promises checked, one finding."),
 ],
 "links": ["Invoke-VbdLab", "Invoke-VbdWorkload", "about_XenVbd_Labs"],
},
{
 "name": "Invoke-VbdCampaign",
 "sets": ["Parameters", "Path", "Replay"],
 "synopsis": "Runs a campaign: every combination of device settings, fault plans, workloads and seeds, in parallel on every core, and shrinks what fails to a small replay file.",
 "description": """
A campaign asks one question over many configurations: which driver settings survive which backend under which fault. Invoke-VbdCampaign takes a matrix - device axes (FrontendAbi, FrontendMode, BackendAbi, BackendMode, Bounce, MaxRingPageOrder, MaxIndirectSegments, UntrustedBackend, VolatileWriteCache), named fault plans (lists of rules with Add-VbdFault's parameters: Kind, Rate, Operation, FirstSector, EndSector, Start, End, Period, ActiveFor, MaxCount, Delay, MaxDelay, Distribution, ParetoAlpha, BytesPerSecond, MigrateTo, MigrateNative), named workloads (Pattern, ReadFraction, BlockSizes, MisalignedFraction, QueueDepth, Count, LengthBytes, FlushEvery) and seeds - as parameters or as a data file (-Path: a PowerShell data file .psd1 or JSON with the same fields), and runs every combination.

Each case runs on its own engine (a fresh device: its own Xen host, virtual clock and seeded random source), connected first, then the fault plan is attached and the verified workload runs. A case passes when every byte came back as written without an error; otherwise it fails with a short signature: Corruption:<kind>, DoubleCompletion, Hung, Broken, IoErrors, NotConnected:<state> or Exception:<type>. A combination that cannot be built (a PowerCut fault without VolatileWriteCache=On) is Invalid. Cases are numbered in one fixed order (axes, then fault plans and workloads by name, the seed fastest), whatever order a data file lists its tables in.

Cases run on -ThrottleLimit worker threads (one per core by default) and stream out as result objects as they finish, under a progress bar with the cases done, the failures, the rate and the time left. The results do not depend on the number of threads. Ctrl+C stops handing out cases, lets the running ones finish and keeps every finished result in the files. With -OutputDirectory the cmdlet writes results.jsonl (a header line, then one line per case in case order), junit.xml and campaign.html (a grid: which configuration survived under which fault plan and workload, and how the others failed). These files contain nothing of the machine or the clock.

-Shard i/N runs every N-th case starting at case i-1, so a CI matrix or an array job runs one campaign on N machines; Merge-VbdCampaign joins their results.jsonl files into the files one machine would have written, byte for byte. -Case runs only the given case numbers.

After the run, the first failing case of each distinct signature (up to -ShrinkLimit) is shrunk: the cmdlet runs ever smaller variants - fewer devices, fewer fault rules, fewer injections, fewer operations, fewer and smaller transfers, a shallower queue, aligned buffers, device settings back to their defaults - and keeps the smallest that still fails the same way, trying candidates on -ThrottleLimit threads (the shrunk case is the same for any number). Each shrunk case is written to replay-<case>.json (in -OutputDirectory, or a temporary folder) and returned with its ReplayCommand; -Replay runs such a file again.

A matrix that cannot mean anything (an unknown axis, value, field or fault kind, a rule Add-VbdFault would refuse, a seed listed twice) gives an InvalidCampaignMatrix error that names the field; a bad -Shard gives InvalidShard; a missing file CampaignFileNotFound; a damaged replay file InvalidReplayFile. Nothing runs then.
""",
 "parameters": [
  {"name": "Path", "type": "System.String", "required": True, "position": 0, "sets": ["Path"], "pipeline": "True (ByPropertyName)",
   "desc": "A matrix data file: a PowerShell data file (.psd1, read with Import-PowerShellDataFile, so no code in it runs) or JSON. Fields: Name, the axes (at the top level or under Axes; a value or a list each), FaultPlans (name = a rule or a list of rules), Workloads (name = a workload), Seeds (a list) or SeedCount (seeds 1..N), Devices. Alias: FullName."},
  {"name": "Replay", "type": "System.String", "required": True, "sets": ["Replay"],
   "desc": "A replay file written by a shrink (replay-<case>.json): runs that one case and warns if it no longer fails the way the file records."},
  {"name": "Name", "type": "System.String", "sets": ["Parameters"], "default": "campaign", "desc": "The campaign's name, shown in the progress bar and the reports."},
  {"name": "FrontendAbi", "type": "XenVbd.Ring.BlkifAbi[]", "values": ["X86_32", "X86_64"], "sets": ["Parameters"], "default": "X86_64 only", "desc": "Frontend ring layouts to sweep (the guest's bitness)."},
  {"name": "FrontendMode", "type": "XenVbd.Frontend.FrontendAbiMode[]", "values": ["Probe", "Announce", "AnnounceAndProbe"], "sets": ["Parameters"], "default": "Probe only", "desc": "Frontend modes to sweep: how the frontend finds the backend's layout."},
  {"name": "BackendAbi", "type": "XenVbd.Ring.BlkifAbi[]", "values": ["X86_32", "X86_64"], "sets": ["Parameters"], "default": "X86_64 only", "desc": "Backend native layouts to sweep (dom0's bitness)."},
  {"name": "BackendMode", "type": "XenVbd.Backend.BackendAbiMode[]", "values": ["Protocol", "Native"], "sets": ["Parameters"], "default": "Protocol only", "desc": "Backend modes to sweep: honour the protocol key, or always use the native layout."},
  {"name": "Bounce", "type": "XenVbd.Frontend.BounceStrategyKind[]", "values": ["PerSrb", "DeviceBuffer", "SegmentPool"], "sets": ["Parameters"], "default": "PerSrb only", "desc": "Bounce strategies to sweep for misaligned buffers: the Hardened design's choice, so give -Axis @{ Personality = 'Hardened' } with it (beside a real driver's personality it is refused: PersonalityFixesAxis)."},
  {"name": "MaxRingPageOrder", "type": "System.Int32[]", "sets": ["Parameters"], "default": "0 only", "desc": "Ring page orders to sweep, 0..4."},
  {"name": "MaxIndirectSegments", "type": "System.Int32[]", "sets": ["Parameters"], "default": "0 only", "desc": "Indirect segment counts to sweep: 0 (direct only), 8, 16, 32, 64, 128 or 256."},
  {"name": "Axis", "type": "System.Collections.Hashtable", "sets": ["Parameters"], "default": "None",
   "desc": "Any axis by name with the values to sweep, for the axes without a parameter of their own: @{ UntrustedBackend = 'Off', 'On'; VolatileWriteCache = 'On' }, or the personalities: @{ Personality = 'Hardened', 'Gplpv2012'; BackendPersonality = 'LinuxBlkback', 'Qemu72' }. FrontendMode and Bounce are the Hardened design's to choose (a real driver has its own probe mode and bounce strategy): sweeping either beside a real driver's personality on the Personality axis is refused (PersonalityFixesAxis, InvalidArgument), and sweeping either without a Personality axis warns that every case runs the default personality, Gplpv2008b, with its own."},
  {"name": "FaultPlan", "type": "System.Collections.Hashtable", "sets": ["Parameters"], "default": "one plan, none, with no rules",
   "desc": "Named fault plans: each name maps to a rule or a list of rules, each rule a hashtable of Add-VbdFault's parameters: @{ none = @(); drops = @{ Kind = 'Drop'; Rate = 0.01; MaxCount = 3 } }. Times are time spans ('00:00:00.001')."},
  {"name": "Workload", "type": "System.Collections.Hashtable", "sets": ["Parameters"], "default": "one workload, default: 200 random 4 KiB operations, QD 8, half reads, over 4 MiB",
   "desc": "Named workloads: @{ small = @{ Count = 100; BlockSizes = 4096, 65536; QueueDepth = 4 } }. Fields: Pattern, ReadFraction, BlockSizes (equally weighted), MisalignedFraction, QueueDepth, Count, LengthBytes, FlushEvery. Every workload verifies every byte it reads."},
  {"name": "Seed", "type": "System.UInt64[]", "sets": ["Parameters"], "default": "1", "desc": "The seeds to run each combination with."},
  {"name": "SeedCount", "type": "System.Int32", "sets": ["Parameters"], "default": "None", "desc": "Seeds 1..N instead of a -Seed list."},
  {"name": "Devices", "type": "System.Int32", "sets": ["Parameters"], "default": "1", "desc": "Devices per case, each running the workload with seed + its number; the case fails if any does."},
  {"name": "Shard", "type": "System.String", "sets": ["Parameters", "Path"], "default": "1/1 (every case)",
   "desc": "Runs slice i of N, written i/N: the cases whose number leaves remainder i-1 modulo N. In a GitHub Actions matrix pass ${{ matrix.shard }}/N; in a Kubernetes Indexed Job $($env:JOB_COMPLETION_INDEX + 1)/N; in a Slurm array $env:SLURM_ARRAY_TASK_ID/N."},
  {"name": "Case", "type": "System.Int64[]", "sets": ["Parameters", "Path"], "default": "every case", "desc": "Runs only these case numbers (as the results and the HTML grid show them)."},
  {"name": "ThrottleLimit", "type": "System.Int32", "default": "one per core", "desc": "Worker threads. Any number gives the same results."},
  {"name": "OutputDirectory", "type": "System.String", "default": "None (no files; replay files go to a temporary folder)",
   "desc": "A folder for results.jsonl, junit.xml, campaign.html and the replay files; created if missing."},
  {"name": "NoShrink", "type": "SwitchParameter", "sets": ["Parameters", "Path"], "default": "False", "desc": "Does not shrink failures."},
  {"name": "ShrinkLimit", "type": "System.Int32", "sets": ["Parameters", "Path"], "default": "3", "desc": "How many failures to shrink: the first case of each distinct failure signature, up to this many."}],
 "inputs": [("System.String", "A matrix file path (by property name Path or FullName, so Get-Item works).")],
 "outputs": [("XenVbd.Campaign.CampaignResult", "One per case as it finishes: Index, Outcome, Failure, Detail, Configuration, FaultPlan, Workload, Seed, Operations, Errors, Violations, FaultsInjected, VirtualElapsed, WallElapsed, Case."),
             ("XenVbd.Campaign.CampaignReproduction", "One per shrunk failure: Index, Failure, Original, Minimal, Runs, Steps, IsMinimal, Path and ReplayCommand.")],
 "examples": [
  ("a bitness sweep from parameters", "Invoke-VbdCampaign -FrontendAbi X86_32, X86_64 -BackendAbi X86_32, X86_64 -BackendMode Protocol, Native -Workload @{ small = @{ Count = 40 } } -SeedCount 2",
   "Runs 16 cases (2 x 2 x 2 configurations x 2 seeds) on every core and shows each result as it finishes."),
  ("faults, reports and a shrunk failure", "$out = Join-Path ([IO.Path]::GetTempPath()) 'xenvbd-help-campaign'\n$faults = @{ none = @(); errors = @{ Kind = 'Error'; Rate = 0.2; Operation = 'Read' } }\n$r = Invoke-VbdCampaign -Name help -Axis @{ Personality = 'Hardened' } -Bounce PerSrb, SegmentPool -FaultPlan $faults -Workload @{ w = @{ Count = 30; MisalignedFraction = 0.5 } } -OutputDirectory $out\n$r | Where-Object ReplayCommand | Select-Object Failure, ReplayCommand\nGet-ChildItem $out | Select-Object Name\nRemove-Item -Recurse $out",
   "Runs two bounce strategies of the Hardened design with and without read errors, writes the results files and the HTML grid, and shrinks the failure (IoErrors) to one small replay file."),
  ("one shard of a data file", "$file = Join-Path ([IO.Path]::GetTempPath()) 'xenvbd-help-matrix.psd1'\nSet-Content $file \"@{ Name = 'abi'; Personality = 'Hardened'; FrontendAbi = 'X86_32', 'X86_64'; FrontendMode = 'Probe', 'Announce'; Workloads = @{ w = @{ Count = 20 } }; SeedCount = 2 }\"\nInvoke-VbdCampaign -Path $file -Shard 2/4 -NoShrink\nRemove-Item $file",
   "Runs the second of four slices of an 8-case matrix: cases 1 and 5."),
 ],
 "notes": "docs/CAMPAIGNS.md shows the workflow across machines with GitHub Actions and a Kubernetes Indexed Job.",
 "links": ["Merge-VbdCampaign", "Add-VbdFault", "Invoke-VbdWorkload", "Invoke-VbdLab"],
},
{
 "name": "Merge-VbdCampaign",
 "synopsis": "Joins the results of a campaign's shards into the results, JUnit and HTML files one machine would have written, byte for byte.",
 "description": """
Merge-VbdCampaign reads the results.jsonl files that the shards of one campaign wrote (Invoke-VbdCampaign -Shard i/N -OutputDirectory), checks that they belong together, and writes results.jsonl, junit.xml and campaign.html into -OutputDirectory: exactly the files a single run of the whole campaign writes. It returns the merged report (name, cases, results, failures).

It refuses (CampaignMergeRefused) shards of different matrices, a shard given twice, a missing shard and a shard that was stopped before it finished, so a merged file never silently lacks cases. A file that is not a campaign results file, or was truncated or edited, gives InvalidCampaignResults; a path with no file CampaignFileNotFound. -WhatIf shows where the files would go.
""",
 "parameters": [
  {"name": "Path", "type": "System.String[]", "required": True, "position": 0, "pipeline": "True (ByPropertyName, ByValue)", "wildcards": True,
   "desc": "The shards' results.jsonl files, or the folders holding them; wildcards work. Alias: FullName, so Get-ChildItem -Recurse results.jsonl | Merge-VbdCampaign works."},
  {"name": "OutputDirectory", "type": "System.String", "required": True, "position": 1, "desc": "Where the merged files go; created if missing."},
  {"name": "WhatIf", "type": "SwitchParameter", "default": "False", "desc": "Shows what would be written without writing it."},
  {"name": "Confirm", "type": "SwitchParameter", "default": "False", "desc": "Asks before writing the merged files."}],
 "inputs": [("System.String", "Paths of results files or folders.")],
 "outputs": [("XenVbd.Campaign.CampaignReport", "Name, TotalCases, Results, Failures, Fingerprint and IsComplete.")],
 "examples": [
  ("two shards merged", "$base = Join-Path ([IO.Path]::GetTempPath()) 'xenvbd-help-merge'\n1..2 | ForEach-Object { Invoke-VbdCampaign -Name m -FrontendAbi X86_32, X86_64 -Workload @{ w = @{ Count = 20 } } -SeedCount 2 -Shard \"$_/2\" -NoShrink -OutputDirectory (Join-Path $base \"shard$_\") | Out-Null }\nMerge-VbdCampaign -Path (Join-Path $base 'shard*') -OutputDirectory (Join-Path $base 'all')\nRemove-Item -Recurse $base",
   "Runs a 4-case campaign as two shards and merges them; the merged files equal a single run's."),
 ],
 "notes": "docs/CAMPAIGNS.md has the job files for GitHub Actions and Kubernetes.",
 "links": ["Invoke-VbdCampaign"],
},
]

COMMANDS += [
{
 "name": "Get-VbdPersonality",
 "synopsis": "Lists the driver personalities the model can behave as; with -Detailed, every behaviour with the code it was read from.",
 "description": """
A personality is a named set of behaviours of one real driver generation: GPLPV's xenvbd of February and November 2008, its scsiport driver of 2012 and its 2013 rewrite, the Xen Project Windows driver (win-xenvbd) and Linux xen-blkfront. Hardened is this project's own design (what the model did before personalities) and says so: its RealDriver is False. New-VbdDevice -Personality chooses one for a device; the device object shows it.

Without -Detailed each personality is one object: Name, Kind (Frontend), RealDriver, the number of Behaviours and how many of them could not be pinned to code (NotPinned), and a Description. With -Detailed each behaviour is one object: Personality, Behaviour (a stable id, the same in every personality), Summary (what the driver does), Pinned, Repository, File, Function and Revision where it was read, or NotPinnedBecause (what was read and what was missing). docs/PERSONALITIES.md holds the same table, generated from the code.

-Name takes names and wildcard patterns and tab-completes the names. A name without wildcards that matches nothing gives a non-terminating PersonalityNotFound error (ObjectNotFound) that lists the names.
""",
 "parameters": [
  {"name": "Name", "type": "System.String[]", "position": 0, "pipeline": "True (ByValue, ByPropertyName)", "wildcards": True, "default": "all",
   "desc": "Personality names or wildcard patterns (Gplpv*). All personalities when omitted."},
  {"name": "Detailed", "type": "SwitchParameter", "default": "False",
   "desc": "One object per behaviour, with its source, instead of one per personality."},
 ],
 "inputs": [("System.String", "Personality names or patterns.")],
 "outputs": [("XenVbd.PowerShell.VbdPersonality", "Without -Detailed: one per personality."),
             ("XenVbd.PowerShell.VbdPersonalityBehaviour", "With -Detailed: one per behaviour.")],
 "examples": [
  ("list the personalities", "Get-VbdPersonality",
   "One line per personality: which are real drivers, how many behaviours each lists, how many could not be pinned to code."),
  ("every behaviour of one driver, with its source", "Get-VbdPersonality Gplpv2012 -Detailed | Format-List Behaviour, Summary, Repository, File, Function, Revision",
   "What GPLPV's 2012 scsiport driver does at each seam and where in xenvbd_scsiport.c."),
  ("compare one behaviour across drivers", "Get-VbdPersonality -Detailed | Where-Object Behaviour -eq SynchronizeCache | Format-Table Personality, Summary -Wrap",
   "How each driver answers SYNCHRONIZE CACHE: an error, a no-op success, or a flush on the ring."),
  ("run a device as the driver the Xen wiki's 2008 GPLPV page describes", "$d = New-VbdDevice -Name ex-pers1 -SizeBytes 8MB -Personality Gplpv2008b\n$d.Personality\n(Invoke-Srb -Device $d -Read -Lba 0 -BlockCount 16 -BufferAlignment 3).BouncePasses\nRemove-VbdDevice -Device $d",
   "Gplpv2008b bounces an unaligned 8 KiB read through its 4 KiB SRB extension in two passes."),
 ],
 "links": ["New-VbdDevice", "Reset-VbdDevice"],
},
]
