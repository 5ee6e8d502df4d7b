# Invoke-VbdWorkload's limits and early stops: -Count and -Duration "whichever comes first", no input that
# runs without end, and a stop that keeps what was measured (console Ctrl+C, PowerShell.Stop()).
BeforeAll {
    $root = (Resolve-Path "$PSScriptRoot/../..").Path
    Import-Module (Join-Path $root 'XenVbd.psd1') -Force -ErrorAction Stop

    # Runs a script in a fresh runspace with the module; stops it after $Seconds of wall time at most.
    function Invoke-Bounded([string] $Script, [double] $Seconds) {
        $ps = [powershell]::Create([System.Management.Automation.RunspaceMode]::NewRunspace)
        $null = $ps.AddScript("Import-Module '$root/XenVbd.psd1' -ErrorAction Stop`n$Script")
        $handle = $ps.BeginInvoke()
        $finished = $handle.AsyncWaitHandle.WaitOne([timespan]::FromSeconds($Seconds))
        if (-not $finished) { $ps.Stop() }
        $out = if ($finished) { $ps.EndInvoke($handle) } else { @() }
        [pscustomobject]@{ Finished = $finished; Output = $out; PowerShell = $ps }
    }
}

AfterAll {
    Get-VbdDevice | Remove-VbdDevice -Confirm:$false
    Remove-Module XenVbd -Force -ErrorAction SilentlyContinue
}

Describe 'Invoke-VbdWorkload -Count and -Duration' {
    BeforeEach { $null = New-VbdDevice -Name lim -SizeBytes 16MB }
    AfterEach { Get-VbdDevice | Remove-VbdDevice -Confirm:$false }

    It '-Duration alone runs for that virtual time, not for the default count' {
        $r = Invoke-VbdWorkload lim -Duration 00:00:00.02
        $r.VirtualElapsed | Should -BeGreaterOrEqual ([timespan]'00:00:00.02')
        $r.Operations | Should -Not -Be 1000
        $r.Cancelled | Should -BeFalse
    }

    It 'the count wins when it comes first' {
        $r = Invoke-VbdWorkload lim -Count 50 -Duration 00:01:00
        $r.Operations | Should -Be 50
    }

    It 'the duration wins when it comes first' {
        $r = Invoke-VbdWorkload lim -Count 1000000 -Duration 00:00:00.002
        $r.Operations | Should -BeLessThan 1000000
        $r.VirtualElapsed | Should -BeGreaterOrEqual ([timespan]'00:00:00.002')
        $r.VirtualElapsed | Should -BeLessThan ([timespan]'00:00:00.01')
    }

    It 'with neither, the default count of 1000 applies' {
        (Invoke-VbdWorkload lim).Operations | Should -Be 1000
    }

    It '-Count ([long]::MaxValue) -Duration 1 ms ends (it used to run without end)' {
        $run = Invoke-Bounded "`$null = New-VbdDevice -Name huge -SizeBytes 16MB; Invoke-VbdWorkload huge -Count ([long]::MaxValue) -Duration 00:00:00.001" 60
        $run.Finished | Should -BeTrue -Because 'the 1 ms virtual-time limit must stop the run'
        $run.Output[0].VirtualElapsed | Should -BeLessThan ([timespan]'00:00:00.005')
        $run.PowerShell.Dispose()
    }
}

Describe 'Invoke-VbdWorkload stopped early' {
    It 'PowerShell.Stop(): a warning, and the partial result in $VbdLastWorkload' {
        $run = Invoke-Bounded "`$null = New-VbdDevice -Name stopme -SizeBytes 16MB; Invoke-VbdWorkload stopme -Count 100000000" 3
        $run.Finished | Should -BeFalse
        $warning = @($run.PowerShell.Streams.Warning)
        $warning.Count | Should -Be 1
        "$($warning[0])" | Should -Match "The workload on 'stopme' was stopped after \d+ I/Os.*VbdLastWorkload"
        $partial = $run.PowerShell.Runspace.SessionStateProxy.GetVariable('VbdLastWorkload')
        $partial.Cancelled | Should -BeTrue
        $partial.Operations | Should -BeGreaterThan 0
        $partial.DeviceName | Should -Be 'stopme'
        $run.PowerShell.Runspace.Dispose(); $run.PowerShell.Dispose()
    }

    It 'Ctrl+C in an interactive console returns the partial result with a warning' {
        $script = Get-Command script -CommandType Application -ErrorAction SilentlyContinue
        if ($IsWindows -or -not $script) { Set-ItResult -Skipped -Because 'needs util-linux script(1) for a terminal (apt-get install util-linux)'; return }
        $dir = Join-Path $TestDrive 'ctrlc'
        $null = New-Item -ItemType Directory -Force $dir
        $marker = Join-Path $dir 'started'
        $child = Join-Path $dir 'child.ps1'
        Set-Content -LiteralPath $child -Value @"
Import-Module '$root/XenVbd.psd1' -ErrorAction Stop
`$null = New-VbdDevice -Name cc -SizeBytes 16MB
Set-Content -LiteralPath '$marker' -Value go
`$w = Invoke-VbdWorkload cc -Count 100000000 -WarningVariable wv -WarningAction SilentlyContinue
"RESULT ops=`$(`$w.Operations) cancelled=`$(`$w.Cancelled) warnings=`$(`$wv.Count)"
"@
        # The PowerShell running the tests: its own executable, or dotnet + pwsh.dll (as build.ps1 does).
        $exe = Join-Path $PSHOME 'pwsh'
        $pwsh = if (Test-Path -LiteralPath $exe) { "'$exe'" } else { "'$((Get-Process -Id $PID).Path)' '$(Join-Path $PSHOME 'pwsh.dll')'" }
        # Feed the terminal a Ctrl+C byte once the workload has started; script(1) gives the child a real tty.
        # Bounded: if the child never starts the workload, the feeder gives up after 60 s instead of waiting forever.
        $feeder = "for i in `$(seq 300); do [ -f '$marker' ] && break; sleep 0.2; done; sleep 1; printf '\003'; sleep 6"
        $out = & bash -c "($feeder) | timeout 120 script -qfec `"$pwsh -NoProfile -File '$child'`" /dev/null" 2>&1 | ForEach-Object { "$_" }
        $line = $out | Where-Object { $_ -match 'RESULT ' } | Select-Object -Last 1
        $line | Should -Match 'RESULT ops=[1-9]\d* cancelled=True warnings=1'
    }
}
