# What a hostile (or just unlucky) user throws at the module: extreme TimeSpans, pipeline/CSV values,
# odd paths, two devices into one trace file, orderly removal of a write-back cache, raw CDBs,
# re-importing the module, two threads on one device, malformed names and patterns.
# Each block is one row of the "hostile input" table in docs/RELIABILITY.md.
BeforeAll {
    $root = (Resolve-Path "$PSScriptRoot/../..").Path
    Import-Module (Join-Path $root 'XenVbd.psd1') -Force -ErrorAction Stop
    $work = Join-Path ([IO.Path]::GetTempPath()) ("xenvbd-hostile-" + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $work | Out-Null

    function Get-Failure([scriptblock] $Script) {
        try { & $Script; return $null } catch { return $_ }
    }
}

AfterAll {
    Get-VbdDevice | Remove-VbdDevice -Confirm:$false
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
    Remove-Module XenVbd -Force -ErrorAction SilentlyContinue
}

Describe 'Extreme TimeSpans' {
    AfterEach { Get-VbdDevice | Remove-VbdDevice -Confirm:$false }

    It 'refuses -RequestTimeout and -BackendServiceTime beyond 365 days, naming the range' {
        foreach ($p in @{ RequestTimeout = [timespan]::MaxValue }, @{ BackendServiceTime = [timespan]::MaxValue }) {
            $e = Get-Failure { New-VbdDevice -Name tmax -SizeBytes 1MB @p }
            $e.FullyQualifiedErrorId | Should -BeLike 'InvalidDeviceOptions*'
            $e.Exception.Message | Should -Match '365 days'
            Get-VbdDevice -Name tmax -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }
    }

    It 'refuses an Add-VbdFault -Delay of TimeSpan.MaxValue instead of making it instant' {
        New-VbdDevice -Name tfault -SizeBytes 1MB | Out-Null
        Add-VbdFault -Name tfault -Kind Latency -Delay ([timespan]::MaxValue) -ErrorVariable ev -ErrorAction SilentlyContinue | Out-Null
        $ev.Count | Should -BeGreaterThan 0
        $ev[0].Exception.Message | Should -Match '365 days'
        @(Get-VbdFault -Name tfault).Count | Should -Be 0
    }

    It 'runs a device at the top of the range without a negative latency' {
        New-VbdDevice -Name tlong -SizeBytes 1MB -RequestTimeout 365.00:00:00 | Out-Null
        $r = Invoke-Srb -Name tlong -Read -Lba 0 -BlockCount 1
        $r.SrbStatus.ToString() | Should -Be 'Success'
        $r.Latency | Should -BeGreaterOrEqual ([timespan]::Zero)
    }
}

Describe 'Pipeline and CSV input' {
    AfterEach { Get-VbdDevice | Remove-VbdDevice -Confirm:$false }

    It "converts 'true', '64MB' and 'x86_32' as a PowerShell user means them" {
        $d = [pscustomobject]@{ Name = 'csv1'; ReadOnly = 'true'; SizeBytes = '8MB'; BackendAbi = 'x86_32'; BackendMode = 'native'; VolatileWriteCache = 'no' } | New-VbdDevice
        $d.Options.ReadOnly | Should -BeTrue
        $d.Options.SizeBytes | Should -Be 8MB
        $d.Options.BackendAbi.ToString() | Should -Be 'X86_32'
        $d.Options.BackendMode.ToString() | Should -Be 'Native'
        $d.Options.VolatileWriteCache | Should -BeFalse
        # The golden image really is read-only: a WRITE is refused.
        (Invoke-Srb -Device $d -Write -Lba 0 -BlockCount 1 -ErrorAction SilentlyContinue).SrbStatus.ToString() | Should -Not -Be 'Success'
    }

    It 'reads a CSV of devices with Import-Csv' {
        $csv = Join-Path $work 'devices.csv'
        "Name,SizeBytes,ReadOnly,FrontendAbi`ncsv2,4MB,false,64`ncsv3,2097152,TRUE,x86_32-abi" | Set-Content -LiteralPath $csv
        $devices = Import-Csv -LiteralPath $csv | New-VbdDevice
        $devices.Count | Should -Be 2
        $devices[0].Options.ReadOnly | Should -BeFalse
        $devices[1].Options.ReadOnly | Should -BeTrue
        $devices[1].Options.SizeBytes | Should -Be 2MB
        $devices[1].Options.FrontendAbi.ToString() | Should -Be 'X86_32'
    }

    It 'refuses a value it cannot convert, naming the column, and creates nothing' -TestCases @(
        @{ Column = 'ReadOnly'; Value = 'maybe' }
        @{ Column = 'SizeBytes'; Value = 'lots' }
        @{ Column = 'BackendAbi'; Value = 'bogus' }
        @{ Column = 'BackendMode'; Value = 'sideways' }
        @{ Column = 'Bounce'; Value = 'trampoline' }
    ) {
        param($Column, $Value)
        $row = [pscustomobject]@{ Name = 'csvbad' }
        $row | Add-Member -NotePropertyName $Column -NotePropertyValue $Value
        $row | New-VbdDevice -ErrorVariable ev -ErrorAction SilentlyContinue | Out-Null
        $ev.Count | Should -BeGreaterThan 0
        $ev[0].FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentTransformationError*'
        $ev[0].Exception.Message | Should -Match "'$Value'"
        $ev[0].Exception.Message | Should -Match $Column
        Get-VbdDevice -Name csvbad -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}

Describe 'Paths' {
    AfterEach { Get-VbdDevice | Remove-VbdDevice -Confirm:$false }

    It 'resolves a relative -ImagePath against the PowerShell location' {
        Push-Location $work
        try {
            [Environment]::CurrentDirectory = [IO.Path]::GetTempPath()
            New-VbdDevice -Name prel -ImagePath 'rel.img' -SizeBytes 1MB | Out-Null
            Test-Path -LiteralPath (Join-Path $work 'rel.img') | Should -BeTrue
        } finally { Pop-Location }
    }

    It 'refuses a path on another provider' {
        $e = Get-Failure { New-VbdDevice -Name penv -ImagePath 'Env:/foo' -SizeBytes 1MB }
        $e.FullyQualifiedErrorId | Should -BeLike 'NotAFileSystemPath*'
        New-VbdDevice -Name ptr -SizeBytes 1MB | Out-Null
        Export-VbdTrace -Name ptr -Path 'Env:/trace' -ErrorVariable ev -ErrorAction SilentlyContinue | Out-Null
        $ev[0].FullyQualifiedErrorId | Should -BeLike 'NotAFileSystemPath*'
    }

    It 'does not turn *.img into a file of that name' {
        $e = Get-Failure { New-VbdDevice -Name pwild -ImagePath (Join-Path $work 'nothing-*.img') -SizeBytes 1MB }
        $e.FullyQualifiedErrorId | Should -BeLike 'PathNotUnique*'
        @(Get-ChildItem -LiteralPath $work -Filter 'nothing-*').Count | Should -Be 0
        # One match is used.
        $one = Join-Path $work 'only-one.img'
        [IO.File]::WriteAllBytes($one, [byte[]]::new(1MB))
        (New-VbdDevice -Name pwild1 -ImagePath (Join-Path $work 'only-*.img')).Storage.SizeBytes | Should -Be 1MB
    }

    It 'follows a symbolic link to an image, and a dangling one creates its target' -Skip:($IsWindows) {
        $target = Join-Path $work 'target.img'
        [IO.File]::WriteAllBytes($target, [byte[]]::new(2MB))
        $link = Join-Path $work 'link.img'
        New-Item -ItemType SymbolicLink -Path $link -Target $target | Out-Null
        (New-VbdDevice -Name plink -ImagePath $link).Storage.SizeBytes | Should -Be 2MB
        $dangling = Join-Path $work 'dangling.img'
        $later = Join-Path $work 'created-through-link.img'
        New-Item -ItemType SymbolicLink -Path $dangling -Target $later | Out-Null
        New-VbdDevice -Name pdang -ImagePath $dangling -SizeBytes 1MB | Out-Null
        (Get-Item -LiteralPath $later).Length | Should -Be 1MB
    }

    It 'refuses a -SizeBytes that does not match an existing image' {
        $img = Join-Path $work 'sized.img'
        [IO.File]::WriteAllBytes($img, [byte[]]::new(1MB))
        $e = Get-Failure { New-VbdDevice -Name psize -ImagePath $img -SizeBytes 4MB }
        $e.FullyQualifiedErrorId | Should -BeLike 'ImageSizeMismatch*'
        $e.Exception.Message | Should -Match '1048576'
        (New-VbdDevice -Name psize -ImagePath $img -SizeBytes 1MB).Storage.SizeBytes | Should -Be 1MB
    }
}

Describe 'Export-VbdTrace with several devices' {
    AfterEach { Get-VbdDevice | Remove-VbdDevice -Confirm:$false }

    It 'never writes two devices into one file, and a folder gets one file per device' {
        New-VbdDevice -Name ta -SizeBytes 1MB | Out-Null
        New-VbdDevice -Name tb -SizeBytes 1MB | Out-Null
        $one = Join-Path $work 'one.json'
        $files = Export-VbdTrace -Name ta, tb -Path $one -ErrorVariable ev -ErrorAction SilentlyContinue
        @($files).Count | Should -Be 1
        $ev.Count | Should -Be 1
        $ev[0].FullyQualifiedErrorId | Should -BeLike 'TraceFileAlreadyWritten*'
        $ev[0].Exception.Message | Should -Match "'ta'"
        $dir = Join-Path $work 'traces'
        New-Item -ItemType Directory -Path $dir | Out-Null
        $files = Export-VbdTrace -Name ta, tb -Path $dir
        ($files | ForEach-Object Name | Sort-Object) -join ',' | Should -Be 'ta.json,tb.json'
    }
}

Describe 'Orderly removal of a volatile write cache' {
    It 'Remove-VbdDevice writes the cache back; -Discard drops it and says so' {
        $img = Join-Path $work 'cache.img'
        New-VbdDevice -Name wc -ImagePath $img -SizeBytes 1MB -VolatileWriteCache | Out-Null
        Invoke-Srb -Name wc -Write -Lba 8 -BlockCount 1 | Out-Null
        Remove-VbdDevice -Name wc -Confirm:$false
        $bytes = [IO.File]::ReadAllBytes($img)
        [Text.Encoding]::ASCII.GetString($bytes, 8 * 512, 12) | Should -Be 'XenVbd LBA 8'

        New-VbdDevice -Name wc -ImagePath $img -VolatileWriteCache | Out-Null
        Invoke-Srb -Name wc -Write -Lba 9 -BlockCount 1 | Out-Null
        Remove-VbdDevice -Name wc -Discard -Confirm:$false -WarningVariable wv -WarningAction SilentlyContinue
        $wv.Count | Should -Be 1
        "$($wv[0])" | Should -Match '512 unflushed bytes'
        $bytes = [IO.File]::ReadAllBytes($img)
        $bytes[9 * 512] | Should -Be 0
    }

    It 'Import-Module -Force closes devices (writing the cache back) and unlocks their images' {
        $img = Join-Path $work 'reimport.img'
        New-VbdDevice -Name ri -ImagePath $img -SizeBytes 1MB -VolatileWriteCache | Out-Null
        Invoke-Srb -Name ri -Write -Lba 3 -BlockCount 1 | Out-Null
        Import-Module (Join-Path $root 'XenVbd.psd1') -Force -ErrorAction Stop
        @(Get-VbdDevice).Count | Should -Be 0
        $d = New-VbdDevice -Name ri -ImagePath $img      # the lock is gone
        [Text.Encoding]::ASCII.GetString((Invoke-Srb -Device $d -Read -Lba 3 -BlockCount 1).Data, 0, 12) | Should -Be 'XenVbd LBA 3'
        Remove-VbdDevice -Device $d -Confirm:$false
    }
}

Describe 'Raw CDBs and Test-VbdIntegrity' {
    AfterEach { Get-VbdDevice | Remove-VbdDevice -Confirm:$false }

    It 'reports the blocks a raw WRITE names, not the size of its buffer' {
        New-VbdDevice -Name raw -SizeBytes 1MB -FeatureDiscard | Out-Null
        $r = Invoke-Srb -Name raw -Cdb 0x2A, 0, 0, 0, 0, 16, 0, 0, 1, 0 -Data ([byte[]]::new(4096))
        $r.BlockCount | Should -Be 1
        Test-VbdIntegrity -Name raw | Should -BeTrue
    }

    It 'forgets what a raw UNMAP discarded' {
        # UNMAP as DISCARD on the ring is the hardened design's (GPLPV 2008b refuses UNMAP).
        New-VbdDevice -Name rawu -Personality Hardened -SizeBytes 1MB -FeatureDiscard | Out-Null
        Invoke-Srb -Name rawu -Write -Lba 4 -BlockCount 2 | Out-Null
        Invoke-Srb -Name rawu -Write -Lba 16 -BlockCount 2 | Out-Null                   # kept: what the check still reads
        # UNMAP(10), parameter list: header (data length 22, descriptor length 16), one descriptor LBA 4 x 2.
        $list = [byte[]](0, 22, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 2, 0, 0, 0, 0)
        $r = Invoke-Srb -Name rawu -Cdb 0x42, 0, 0, 0, 0, 0, 0, 0, 24, 0 -Data $list
        $r.SrbStatus.ToString() | Should -Be 'Success'
        Test-VbdIntegrity -Name rawu | Should -BeTrue
        (Test-VbdIntegrity -Name rawu -Detailed).Outcome.ToString() | Should -Be 'Passed'
    }
}

Describe 'Two threads on one device' {
    AfterEach { Get-VbdDevice | Remove-VbdDevice -Confirm:$false }

    It 'refuses a second thread while one holds the device, Dispose included' {
        $d = New-VbdDevice -Name thr -SizeBytes 1MB
        $use = $d.Use()
        try {
            $job = Start-ThreadJob -ScriptBlock {
                param($dev)
                $out = @()
                try { $null = $dev.Execute([byte[]](0, 0, 0, 0, 0, 0)); $out += 'executed' } catch { $out += $_.Exception.InnerException.Message }
                try { $dev.Dispose(); $out += 'disposed' } catch { $out += $_.Exception.InnerException.Message }
                $out
            } -ArgumentList $d
            $got = Receive-Job $job -Wait -AutoRemoveJob
        } finally { $use.Dispose() }
        $got.Count | Should -Be 2
        $got[0] | Should -Match 'in use on thread'
        $got[1] | Should -Match 'in use on thread'
        (Invoke-Srb -Device $d -TestUnitReady).SrbStatus.ToString() | Should -Be 'Success'
    }

    It 'says a device belongs to another session rather than that it was removed' {
        $d = New-VbdDevice -Name other -SizeBytes 1MB
        $got = Start-ThreadJob -ScriptBlock {
            param($dev, $manifest)
            Import-Module $manifest
            Get-VbdStatistic -Device $dev -ErrorAction SilentlyContinue -ErrorVariable ev | Out-Null
            $ev[0].FullyQualifiedErrorId
        } -ArgumentList $d, (Join-Path $root 'XenVbd.psd1') | Receive-Job -Wait -AutoRemoveJob
        $got | Should -BeLike 'DeviceOwnedByAnotherSession*'
    }
}

Describe 'Names and patterns' {
    AfterEach { Get-VbdDevice | Remove-VbdDevice -Confirm:$false }

    It 'reports a malformed -Name or -Key pattern by id, not a raw WildcardPatternException' {
        New-VbdDevice -Name pat -SizeBytes 1MB | Out-Null
        Get-VbdDevice -Name '[' -ErrorVariable ev -ErrorAction SilentlyContinue | Out-Null
        $ev[0].FullyQualifiedErrorId | Should -BeLike 'InvalidNamePattern*'
        Get-VbdXenStore -Name pat -Key '[' -ErrorVariable ev2 -ErrorAction SilentlyContinue | Out-Null
        $ev2[0].FullyQualifiedErrorId | Should -BeLike 'InvalidNamePattern*'
    }

    # The bad names are built inside the test: a NUL in test-case data would break the NUnit XML report.
    It 'refuses a name with <Kind>' -TestCases @(
        @{ Kind = 'a newline' }, @{ Kind = 'a NUL' }, @{ Kind = '100,000 characters' }
    ) {
        param($Kind)
        $Bad = switch ($Kind) { 'a newline' { "a`nb" } 'a NUL' { "a$([char]0)b" } default { 'x' * 100000 } }
        $e = Get-Failure { New-VbdDevice -Name $Bad -SizeBytes 1MB }
        $e.FullyQualifiedErrorId | Should -BeLike 'InvalidDeviceName*'
        @(Get-VbdDevice).Count | Should -Be 0
    }
}

Describe 'Workloads and faults do what was asked' {
    AfterEach { Get-VbdDevice | Remove-VbdDevice -Confirm:$false }

    It 'refuses transfers larger than the disk instead of shrinking them' {
        New-VbdDevice -Name tiny -SizeBytes 64KB | Out-Null
        $r = Invoke-VbdWorkload -Name tiny -BlockSize 1MB -Count 10 -ErrorVariable ev -ErrorAction SilentlyContinue
        $r | Should -BeNullOrEmpty
        $ev[0].FullyQualifiedErrorId | Should -BeLike 'InvalidWorkload*'
        $ev[0].Exception.Message | Should -Match '65536 bytes'
    }

    It "the README's PowerCut example: the first read after the fault returns zeros" {
        New-VbdDevice -Name crash -VolatileWriteCache -QueueDepth 16 -BackendServiceTime 00:00:00.0001 | Out-Null
        Invoke-Srb crash -Write -Lba 8 -BlockCount 1 | Out-Null
        Add-VbdFault crash -Kind PowerCut -MaxCount 1 | Out-Null
        $first = Invoke-Srb crash -Read -Lba 8 -BlockCount 1
        @($first.Data | Where-Object { $_ -ne 0 }).Count | Should -Be 0
        Test-VbdIntegrity crash -WarningAction SilentlyContinue | Should -BeFalse
    }
}

Describe 'Leaving PowerShell' {
    It 'closes devices the orderly way when pwsh exits: cached writes reach the image' {
        $img = Join-Path $work 'exit.img'
        $manifest = Join-Path $root 'XenVbd.psd1'
        $script = "Import-Module '$manifest'; New-VbdDevice -Name ex -ImagePath '$img' -SizeBytes 1MB -VolatileWriteCache | Out-Null; Invoke-Srb ex -Write -Lba 5 -BlockCount 1 | Out-Null; exit 0"
        $pwsh = (Get-Process -Id $PID).Path
        # Under 'dotnet pwsh' this process is dotnet running pwsh.dll: start that directly, so the child is the pwsh itself.
        $arguments = if ($pwsh -match 'dotnet(\.exe)?$') { @([Reflection.Assembly]::GetEntryAssembly().Location, '-NoProfile', '-Command', $script) } else { @('-NoProfile', '-Command', $script) }
        & $pwsh @arguments
        $LASTEXITCODE | Should -Be 0
        $bytes = [IO.File]::ReadAllBytes($img)
        [Text.Encoding]::ASCII.GetString($bytes, 5 * 512, 12) | Should -Be 'XenVbd LBA 5'
    }
}

Describe 'Errors that help' {
    AfterEach { Get-VbdDevice | Remove-VbdDevice -Confirm:$false }

    It 'a raw CDB with a buffer shorter than its transfer says which numbers disagree' {
        New-VbdDevice -Name eshort -SizeBytes 1MB | Out-Null
        Invoke-Srb -Name eshort -Cdb 0x28, 0, 0, 0, 0, 0, 0, 0, 8, 0 -DataInLength 512 -ErrorVariable ev -ErrorAction SilentlyContinue | Out-Null
        $ev[0].FullyQualifiedErrorId | Should -BeLike 'DataLengthMismatch*'
        $ev[0].Exception.Message | Should -Match '8 blocks \(4096 bytes\)'
        $ev[0].Exception.Message | Should -Match '512 bytes'
    }

    It "a too-large transfer names the cmdlet's buffer, not the engine's parameter" {
        New-VbdDevice -Name ebig -SizeBytes 1MB | Out-Null
        Invoke-Srb -Name ebig -Read -Lba 0 -BlockCount 100000 -ErrorVariable ev -ErrorAction SilentlyContinue | Out-Null
        $ev[0].FullyQualifiedErrorId | Should -BeLike 'DataLengthMismatch*'
        $ev[0].Exception.Message | Should -Match '51200000 bytes'
        $ev[0].Exception.Message | Should -Not -Match 'dataInLength'
    }

    It 'an image that cannot be created names its path and size' -Skip:($IsWindows) {
        $img = Join-Path $work 'huge.img'
        $e = Get-Failure { New-VbdDevice -Name ehuge -ImagePath $img -SizeBytes 256TB }
        $e | Should -Not -BeNullOrEmpty
        "$e" | Should -Match ([regex]::Escape($img))
        "$e" | Should -Match ([string](256TB))
    }
}

Describe 'Attacks that already held (kept held)' {
    AfterEach { Get-VbdDevice | Remove-VbdDevice -Confirm:$false }

    It 'kill -9 of the PowerShell process: acknowledged writes to an image survive, unflushed cached ones do not, and the lock goes with the process' -Skip:($IsWindows) {
        $plain = Join-Path $work 'kill-plain.img'
        $cached = Join-Path $work 'kill-cached.img'
        $ready = Join-Path $work 'kill-ready'
        $manifest = Join-Path $root 'XenVbd.psd1'
        $script = "Import-Module '$manifest'; " +
            "New-VbdDevice -Name p -ImagePath '$plain' -SizeBytes 1MB | Out-Null; Invoke-Srb p -Write -Lba 2 -BlockCount 1 | Out-Null; " +
            "New-VbdDevice -Name c -Personality Hardened -ImagePath '$cached' -SizeBytes 1MB -VolatileWriteCache | Out-Null; " +
            "Invoke-Srb c -Write -Lba 2 -BlockCount 1 | Out-Null; Invoke-Srb c -SynchronizeCache | Out-Null; Invoke-Srb c -Write -Lba 3 -BlockCount 1 | Out-Null; " +
            "New-Item -ItemType File -Path '$ready' | Out-Null; Start-Sleep -Seconds 120"
        $pwsh = (Get-Process -Id $PID).Path
        # Under 'dotnet pwsh' this process is dotnet running pwsh.dll: start that directly, so the child is the pwsh itself.
        $arguments = if ($pwsh -match 'dotnet(\.exe)?$') { @([Reflection.Assembly]::GetEntryAssembly().Location, '-NoProfile', '-Command', $script) } else { @('-NoProfile', '-Command', $script) }
        $child = Start-Process -FilePath $pwsh -ArgumentList $arguments -PassThru
        $deadline = [DateTime]::UtcNow.AddSeconds(120)
        while (-not (Test-Path -LiteralPath $ready) -and [DateTime]::UtcNow -lt $deadline -and -not $child.HasExited) { Start-Sleep -Milliseconds 100 }
        Test-Path -LiteralPath $ready | Should -BeTrue
        Stop-Process -Id $child.Id -Force      # SIGKILL: no cleanup of any kind runs
        $child.WaitForExit()
        $p = [IO.File]::ReadAllBytes($plain)
        [Text.Encoding]::ASCII.GetString($p, 2 * 512, 12) | Should -Be 'XenVbd LBA 2'
        $c = [IO.File]::ReadAllBytes($cached)
        [Text.Encoding]::ASCII.GetString($c, 2 * 512, 12) | Should -Be 'XenVbd LBA 2'     # flushed
        $c[3 * 512] | Should -Be 0                                                        # never flushed: gone
        (New-VbdDevice -Name relock -ImagePath $plain).Storage.SizeBytes | Should -Be 1MB # the lock died with the process
    }

    It 'creating and removing devices in a loop keeps the heap flat' {
        for ($i = 0; $i -lt 20; $i++) { New-VbdDevice -Name cyc -SizeBytes 1MB | Out-Null; Remove-VbdDevice -Name cyc -Confirm:$false }
        $before = [GC]::GetTotalMemory($true)
        for ($i = 0; $i -lt 200; $i++) { New-VbdDevice -Name cyc -SizeBytes 1MB | Out-Null; Remove-VbdDevice -Name cyc -Confirm:$false }
        $after = [GC]::GetTotalMemory($true)
        ($after - $before) | Should -BeLessThan 32MB     # one device's guest memory is 8 MiB: 200 leaked ones would be 1.6 GiB
    }
}
