# New-VbdDevice -Backend Qemu: the module's own frontend against a real QEMU xen-disk process (the Xen stand-in
# preloaded, a shared-memory file between them), driven by the same cmdlets as a model device; what cannot apply
# says so; and no QEMU outlives its owner: Remove-VbdDevice, Remove-Module, the end of pwsh and a killed pwsh.
# Without qemu-system-xen (or gcc/libxen-dev for the stand-in) these are skips that name the install command;
# XENVBD_REQUIRE_INTEROP=1 (CI) turns those skips into failures.
BeforeAll {
    $script:root = (Resolve-Path "$PSScriptRoot/../..").Path
    Import-Module (Join-Path $root 'XenVbd.psd1') -Force -ErrorAction Stop
    $script:qemuPath = '/usr/libexec/xen-qemu-system-i386'
    $script:require = $env:XENVBD_REQUIRE_INTEROP -eq '1'

    # Why a QEMU device cannot be made here (with the install command), or $null when it can.
    function Get-QemuMissing {
        if ($IsWindows) { return 'QEMU devices need Linux (LD_PRELOAD, the Xen stand-in)' }
        if (-not (Test-Path -LiteralPath $qemuPath)) { return "qemu-system-xen is not installed ($qemuPath): sudo apt-get install qemu-system-xen" }
        if (-not (Get-Command gcc -CommandType Application -ErrorAction SilentlyContinue)) { return 'the Xen stand-in is compiled on first use and gcc is missing: sudo apt-get install gcc libxen-dev' }
        if (-not (Test-Path -LiteralPath /usr/include/xenstore.h)) { return "the Xen stand-in needs Xen's headers: sudo apt-get install libxen-dev" }
        return $null
    }
    $script:missing = Get-QemuMissing

    # Skip with the reason, or fail when CI requires the peer.
    function Skip-WithoutQemu {
        if ($null -eq $missing) { return $false }
        if ($require) { throw "XENVBD_REQUIRE_INTEROP=1 and $missing" }
        Set-ItResult -Skipped -Because $missing
        return $true
    }

    function Test-ProcessAlive([int] $Id) {
        # A zombie (exited, not reaped) is not alive: /proc/<pid>/stat's third field says Z.
        $stat = "/proc/$Id/stat"
        if (-not (Test-Path -LiteralPath $stat)) { return $false }
        $state = ((Get-Content -Raw -LiteralPath $stat -ErrorAction SilentlyContinue) -replace '^.*\)\s+', '') -split ' ' | Select-Object -First 1
        return $state -ne 'Z'
    }

    function Wait-ProcessGone([int] $Id, [int] $Seconds = 20) {
        $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
        while ((Test-ProcessAlive $Id) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
        return -not (Test-ProcessAlive $Id)
    }

    # The PowerShell running the tests, as a command line for a child (as build.ps1 does).
    $exe = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
    $script:pwsh = @(if (Test-Path -LiteralPath $exe) { $exe } else { (Get-Process -Id $PID).Path; Join-Path $PSHOME 'pwsh.dll' })

    function Get-Failure([scriptblock] $Script) {
        try { & $Script; return $null } catch { return $_ }
    }
}

AfterAll {
    Get-VbdDevice | Remove-VbdDevice -Confirm:$false
}

Describe 'New-VbdDevice -Backend Qemu without QEMU' {
    It 'is an ErrorRecord QemuNotInstalled (NotInstalled) whose recommendation is the install command' {
        $e = Get-Failure { New-VbdDevice -Name noqemu -Backend Qemu -QemuPath /nonexistent/xen-qemu-system-i386 }
        $e | Should -Not -BeNullOrEmpty
        $e.FullyQualifiedErrorId | Should -BeLike 'QemuNotInstalled,*'
        $e.CategoryInfo.Category | Should -Be 'NotInstalled'
        $e.ErrorDetails.RecommendedAction | Should -Match 'sudo apt-get install qemu-system-xen'
        $e.Exception.Message | Should -Match '/nonexistent/xen-qemu-system-i386'
        Get-VbdDevice -Name noqemu -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'refuses blkback-model options with -Backend Qemu, and QEMU options without it' {
        $e = Get-Failure { New-VbdDevice -Name q -Backend Qemu -BackendAbi X86_32 }
        $e.FullyQualifiedErrorId | Should -BeLike 'QemuBackendFixesOption,*'
        $e.Exception.Message | Should -Match 'BackendAbi'
        $e = Get-Failure { New-VbdDevice -Name q -QemuDelayPercent 10 }
        $e.FullyQualifiedErrorId | Should -BeLike 'QemuOptionWithoutQemu,*'
        $e.ErrorDetails.RecommendedAction | Should -Match '-Backend Qemu'
    }
}

Describe 'A device whose backend is QEMU' {
    BeforeAll {
        $script:dev = $null
        if ($null -eq $missing) {
            $script:dev = New-VbdDevice -Name qemu0 -Backend Qemu -FrontendAbi X86_32 -Personality Hardened -FrontendMode Probe -MaxRingPageOrder 1 -SizeBytes 32MB
        }
    }
    AfterAll {
        if ($dev) { Remove-VbdDevice -Name qemu0 -Confirm:$false -ErrorAction SilentlyContinue }
    }

    It 'connects; an x86_32 frontend in Probe mode switches to QEMU''s native x86_64 layout' {
        if (Skip-WithoutQemu) { return }
        $dev.State.ToString() | Should -Be 'Ready'
        $dev.BackendKind.ToString() | Should -Be 'Qemu'
        $dev.BackendDescription | Should -Match '^QEMU \d+\.\d+'
        $dev.FrontendAbi.ToString() | Should -Be 'X86_64'
        $dev.ProbeResult.Switched | Should -BeTrue
        Test-ProcessAlive $dev.BackendHost.ProcessId | Should -BeTrue
    }

    It 'Invoke-Srb writes through a misaligned buffer and reads it back; Test-VbdIntegrity checks it through QEMU and in the image' {
        if (Skip-WithoutQemu) { return }
        $w = Invoke-Srb -Name qemu0 -Write -Lba 4096 -BlockCount 16 -BufferAlignment 3
        $w.Succeeded | Should -BeTrue
        $w.BouncePasses | Should -BeGreaterThan 0
        $r = Invoke-Srb -Name qemu0 -Read -Lba 4096 -BlockCount 16 -BufferAlignment 511
        $r.Succeeded | Should -BeTrue
        Test-VbdIntegrity qemu0 | Should -BeTrue
        # The same bytes, read past the frontend and QEMU: the image file QEMU serves.
        $image = $dev.BackendHost.ImagePath
        $fs = [IO.FileStream]::new($image, 'Open', 'Read', 'ReadWrite')
        try {
            $bytes = [byte[]]::new(16 * 512)
            $fs.Position = 4096L * 512
            $null = $fs.Read($bytes, 0, $bytes.Length)
        } finally { $fs.Dispose() }
        [Convert]::ToBase64String($bytes) | Should -Be ([Convert]::ToBase64String($r.Data))
        ($bytes | Where-Object { $_ -ne 0 }).Count | Should -BeGreaterThan 0 -Because 'Invoke-Srb writes a pattern, not zeros'
    }

    It 'Get-VbdRing, Get-VbdXenStore (QEMU''s keys from the file, absence included) and Get-VbdStatistic' {
        if (Skip-WithoutQemu) { return }
        $ring = Get-VbdRing qemu0
        $ring | Should -Not -BeNullOrEmpty
        $keys = Get-VbdXenStore qemu0
        $back = @($keys | Where-Object Side -eq 'Backend')
        ($back | Where-Object Key -eq 'feature-flush-cache').Value | Should -Be '1'
        ($back | Where-Object Key -eq 'state').Value | Should -Be '4'
        $back.Key | Should -Not -Contain 'feature-barrier' -Because 'QEMU never writes feature-barrier'
        $back.Key | Should -Not -Contain 'physical-sector-size'
        @($keys | Where-Object Side -eq 'Frontend').Key | Should -Contain 'ring-ref0'
        (Get-VbdStatistic qemu0).SrbsCompleted | Should -BeGreaterThan 0
    }

    It 'Invoke-VbdWorkload runs a verified, misaligned workload against QEMU' {
        if (Skip-WithoutQemu) { return }
        $w = Invoke-VbdWorkload qemu0 -Count 200 -MisalignedFraction 0.5 -FlushEvery 40 -QueueDepth 4
        $w.Operations | Should -Be 200
        $w.Errors | Should -Be 0
        $w.ViolationCount | Should -Be 0
        $w.MisalignedOperations | Should -BeGreaterThan 0
        $w.BouncePasses | Should -BeGreaterThan 0
    }

    It 'Export-VbdTrace writes the frontend''s side of the run' {
        if (Skip-WithoutQemu) { return }
        $path = Join-Path $TestDrive 'qemu-trace.json'
        Export-VbdTrace qemu0 -Path $path | Out-Null
        (Get-Content -Raw $path | ConvertFrom-Json).traceEvents.Count | Should -BeGreaterThan 0
    }

    It 'what needs the blkback model is an ErrorRecord BackendNotModelled that says so' {
        if (Skip-WithoutQemu) { return }
        $e = Get-Failure { Add-VbdFault qemu0 -Kind Drop -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -BeLike 'BackendNotModelled,*'
        $e.CategoryInfo.Category | Should -Be 'NotImplemented'
        $e.Exception.Message | Should -Match 'QEMU'
        $e = Get-Failure { Set-BackendAbi qemu0 -Abi X86_32 -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -BeLike 'BackendNotModelled,*'
        $e.ErrorDetails.RecommendedAction | Should -Match 'Backend Model'
        (Invoke-Srb -Name qemu0 -Read -Lba 0 -BlockCount 1).Succeeded | Should -BeTrue -Because 'the device still works after a refused operation'
    }

    It 'Remove-VbdDevice stops QEMU by its pid and removes the temporary image' {
        if (Skip-WithoutQemu) { return }
        $id = $dev.BackendHost.ProcessId
        $image = $dev.BackendHost.ImagePath
        Remove-VbdDevice -Name qemu0 -Confirm:$false
        $script:dev = $null
        Wait-ProcessGone $id | Should -BeTrue
        Test-Path -LiteralPath $image | Should -BeFalse
    }
}

Describe 'No QEMU outlives its owner' {
    BeforeAll {
        $script:childScript = Join-Path $TestDrive 'owner.ps1'
        Set-Content -LiteralPath $childScript -Value @'
param($Root, $How)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $Root 'XenVbd.psd1')
$d = New-VbdDevice -Name owned -Backend Qemu
"QEMUPID $($d.BackendHost.ProcessId)"
[Console]::Out.Flush()
switch ($How) {
    'RemoveModule' { Remove-Module XenVbd; "REMOVED" }
    'Exit' { exit 0 }
    'Wait' { Start-Sleep -Seconds 120 }
}
'@
    }

    It 'module removal (OnRemove) stops QEMU' {
        if (Skip-WithoutQemu) { return }
        $out = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File $childScript $root RemoveModule 2>&1 | ForEach-Object { "$_" }
        $line = $out | Where-Object { $_ -like 'QEMUPID *' }
        $line | Should -Not -BeNullOrEmpty -Because ($out -join "`n")
        $out | Should -Contain 'REMOVED'
        Wait-ProcessGone ([int] ($line -replace 'QEMUPID ', '')) | Should -BeTrue
    }

    It 'the end of the pwsh process stops QEMU' {
        if (Skip-WithoutQemu) { return }
        $out = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File $childScript $root Exit 2>&1 | ForEach-Object { "$_" }
        $line = $out | Where-Object { $_ -like 'QEMUPID *' }
        $line | Should -Not -BeNullOrEmpty -Because ($out -join "`n")
        Wait-ProcessGone ([int] ($line -replace 'QEMUPID ', '')) | Should -BeTrue
    }

    It 'a pwsh that owns a QEMU device and is killed (SIGKILL) takes QEMU with it' {
        if (Skip-WithoutQemu) { return }
        $start = [Diagnostics.ProcessStartInfo]::new($pwsh[0])
        foreach ($a in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $childScript, $root, 'Wait')) { $start.ArgumentList.Add($a) }
        $start.RedirectStandardOutput = $true
        $start.UseShellExecute = $false
        $child = [Diagnostics.Process]::Start($start)
        try {
            $qemuPid = 0
            $deadline = [DateTime]::UtcNow.AddSeconds(90)
            while ($qemuPid -eq 0 -and [DateTime]::UtcNow -lt $deadline) {
                $line = $child.StandardOutput.ReadLine()
                if ($null -eq $line) { break }
                if ($line -like 'QEMUPID *') { $qemuPid = [int] ($line -replace 'QEMUPID ', '') }
            }
            $qemuPid | Should -BeGreaterThan 0
            Test-ProcessAlive $qemuPid | Should -BeTrue
            $child.Kill()          # SIGKILL: no handler of the owner runs; the stand-in's parent-death signal does the work
            $child.WaitForExit()
            Wait-ProcessGone $qemuPid | Should -BeTrue
        }
        finally {
            if (-not $child.HasExited) { $child.Kill() }
            $child.Dispose()
        }
    }
}
