# Pester suite of lab 07-HardCasesOnQemu: runs the lab script beside it once and holds its result to what the lab must show.
# Without qemu-system-xen (or gcc/libxen-dev for the Xen stand-in) every test is a skip that names the install
# command; XENVBD_REQUIRE_INTEROP=1 (CI) makes that a failure.
param(
    # The lab's seed: Invoke-Pester's container data (-Data @{ Seed = 7 }), else $env:XENVBD_LAB_SEED, else 1.
    [UInt64] $Seed = $(if ($env:XENVBD_LAB_SEED) { [UInt64] $env:XENVBD_LAB_SEED } else { 1 })
)

BeforeAll {
    if (-not (Get-Command New-VbdLabResult -ErrorAction SilentlyContinue)) {
        $manifest = @('../XenVbd.psd1', '../../XenVbd.psd1') | ForEach-Object { Join-Path $PSScriptRoot $_ } |
            Where-Object { Test-Path -LiteralPath $_ } | Select-Object -First 1
        if ($manifest) { Import-Module $manifest } else { Import-Module XenVbd }
    }
    $ProgressPreference = 'SilentlyContinue'
    # The Hardened design sweeps every probe mode and bounce strategy; the module's default (a real driver) runs its own.
    $lab = & (Join-Path $PSScriptRoot '07-HardCasesOnQemu.ps1') -Seed $Seed -Personality Hardened
    $own = & (Join-Path $PSScriptRoot '07-HardCasesOnQemu.ps1') -Seed $Seed

    # The lab's own account of a missing QEMU: skip with it, or fail where CI requires QEMU.
    function Skip-IfLabSkipped {
        if ($lab.Metrics['skipped'] -ne 1) { return $false }
        $why = ($lab.Findings | Where-Object { $_ -like 'SKIPPED:*' }) -join ' '
        if ($env:XENVBD_REQUIRE_INTEROP -eq '1') { throw "XENVBD_REQUIRE_INTEROP=1 and the lab could not run: $why" }
        Set-ItResult -Skipped -Because $why
        return $true
    }
}

Describe "HardCasesOnQemu lab under the default personality, seed $Seed" {
    It 'runs the driver''s own options and passes every check it makes' {
        if (Skip-IfLabSkipped) { return }
        $own.Personality | Should -Be 'Gplpv2008b'
        $own.Failures | Should -BeNullOrEmpty
        $own.Passed | Should -BeTrue
        $own.Workloads | Where-Object Label -like 'misaligned (Gplpv2008b*own strategy) on QEMU' | Should -Not -BeNullOrEmpty
    }

    It 'probes QEMU without a protocol key and switches an x86_32 frontend to its native x86_64 layout' {
        if (Skip-IfLabSkipped) { return }
        $d = $own.Findings | Where-Object { $_ -like 'DIVERGENCE bitness x86_32:*' }
        $d | Should -Match "QEMU \S+ 'layout X86_64 \(probe switched\), I/O intact'"
        $d | Should -Match 'xen_block_connect'
    }
}

Describe "HardCasesOnQemu lab under Hardened, seed $Seed" {
    It 'passes every check it makes' {
        if (Skip-IfLabSkipped) { return }
        $lab.Failures | Should -BeNullOrEmpty
        $lab.Passed | Should -BeTrue
        $lab.ChecksMade | Should -BeGreaterThan 60
    }

    It 'names the QEMU version it ran against' {
        if (Skip-IfLabSkipped) { return }
        $lab.Findings[0] | Should -Match '^QEMU \d+\.\d+(\.\d+)?: QEMU emulator version'
        $lab.Metrics['qemu.major'] | Should -BeGreaterThan 0
    }

    It 'bounces every misaligned buffer on QEMU under all three strategies, with every byte intact' {
        if (Skip-IfLabSkipped) { return }
        foreach ($bounce in 'PerSrb', 'DeviceBuffer', 'SegmentPool') {
            $w = $lab.Workloads | Where-Object Label -eq "misaligned $bounce on QEMU"
            $w | Should -Not -BeNullOrEmpty -Because $bounce
            $w.Result.ViolationCount | Should -Be 0
            $w.Result.Errors | Should -Be 0
            $w.Result.MisalignedOperations | Should -BeGreaterThan 0
            $w.Result.BytesBounced | Should -BeGreaterOrEqual ($w.Result.BytesRead + $w.Result.BytesWritten) -Because 'no buffer of the workload is aligned'
            $lab.Metrics["misaligned $bounce.qemu.bounce_passes"] | Should -BeGreaterThan 0
        }
    }

    It 'lists the bitness divergence: QEMU reads its native x86_64 layout where Linux blkback defaults to x86_32' {
        if (Skip-IfLabSkipped) { return }
        $lab.Metrics['divergences'] | Should -BeGreaterOrEqual 1
        $d = $lab.Findings | Where-Object { $_ -like 'DIVERGENCE bitness x86_32 Probe*' }
        $d | Should -Not -BeNullOrEmpty
        $d | Should -Match "QEMU \S+ 'layout X86_64 \(probe switched\)"
        $d | Should -Match 'xen_block_connect'
        $d | Should -Match 'connect_ring'
        @($lab.Findings | Where-Object { $_ -like 'DIVERGENCE *' }).Count | Should -Be $lab.Metrics['divergences']
    }

    It 'completes every request once under the stand-in''s delay schedule' {
        if (Skip-IfLabSkipped) { return }
        $w = $lab.Workloads | Where-Object Label -eq 'delayed responses on QEMU'
        $w.Result.Operations | Should -Be 300
        $w.Result.Stuck | Should -Be 0
        $w.Result.DoubleCompletions | Should -Be 0
        $w.Result.ViolationCount | Should -Be 0
        $lab.Findings | Where-Object { $_ -like 'Delayed responses on QEMU (stand-in schedule *:30:10)*' } | Should -Not -BeNullOrEmpty
    }

    It 'without QEMU checks nothing and says why, with the install command' {
        $none = & (Join-Path $PSScriptRoot '07-HardCasesOnQemu.ps1') -Seed $Seed -DeviceOptions @{ QemuPath = '/nonexistent/xen-qemu-system-i386' }
        $none.Metrics['skipped'] | Should -Be 1
        $none.ChecksMade | Should -Be 0
        ($none.Findings -join ' ') | Should -Match 'SKIPPED: .*/nonexistent/xen-qemu-system-i386.*sudo apt-get install qemu-system-xen'
    }

    It 'leaves no device and no QEMU behind' {
        if (Skip-IfLabSkipped) { return }
        Get-VbdDevice | Where-Object Name -like 'HardCasesOnQemu-*' | Should -BeNullOrEmpty
    }
}
