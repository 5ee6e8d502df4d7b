# The issue's "done when" walk-through, each step checked in its default output (what a person sees).
BeforeAll {
    $root = (Resolve-Path "$PSScriptRoot/../..").Path
    Import-Module (Join-Path $root 'XenVbd.psd1') -Force -ErrorAction Stop
    function Show($Value) { $Value | Out-String -Width 120 }
}

AfterAll {
    Get-VbdDevice | Remove-VbdDevice -Confirm:$false
    Remove-Module XenVbd -Force -ErrorAction SilentlyContinue
}

Describe 'A 64-bit guest on a legacy 32-bit dom0, then migrated to a 64-bit dom0' {
    It '1. creates the device: the probe switched the frontend to the backend''s x86_32 layout' {
        $script:dev = New-VbdDevice -Name guest -SizeBytes 32MB -FrontendAbi X86_64 -BackendAbi X86_32 -BackendMode Native
        $text = Show $dev
        $text | Should -Match 'guest\s+Ready\s+32\s+X86_64\s+X86_32\s+Native\s+switched X86_32'
    }

    It '2. writes from a misaligned buffer: bounced, one request' {
        $text = Show (Invoke-Srb -Name guest -Write -Lba 2048 -BlockCount 8 -BufferAlignment 3)
        $text | Should -Match 'guest\s+WRITE\(10\)\s+2048\s+Success\s+4096\s+\d+\s+[1-9]'
    }

    It '3. reads it back: same bytes' {
        $read = Invoke-Srb -Name guest -Read -Lba 2048 -BlockCount 8 -BufferAlignment 3
        Show $read | Should -Match 'guest\s+READ\(10\)\s+2048\s+Success\s+4096'
        [Text.Encoding]::ASCII.GetString($read.Data, 0, 19) | Should -Be 'XenVbd LBA 2048 | X'
        Test-VbdIntegrity -Name guest | Should -BeTrue
    }

    It '4. shows the ring in the switched layout' {
        $text = Show (Get-VbdRing -Name guest)
        $text | Should -Match 'Ring X86_32: 1 page, 32 entries x 108 bytes'
    }

    It '5. migrates to a 64-bit dom0: GPLPV of November 2008 (the default) does not probe again and keeps the stale x86_32 layout' {
        $text = Show (Set-BackendAbi -Name guest -Abi X86_64 -Mode Native)
        $text | Should -Match 'guest\s+X86_32 -> X86_64\s+X86_32 -> X86_32\s+False\s+\d+\s+Ready'
        Show (Get-VbdRing -Name guest) | Should -Match 'Ring X86_32: 1 page, 32 entries x 108 bytes'
        (Get-VbdPersonality Gplpv2008b -Detailed | Where-Object Behaviour -eq 'ProbeResultAcrossResume').Function | Should -Be 'XenVbd_Resume'
    }

    It '6. the hardened design, moved the same way, re-probes: back to its own x86_64 (no switch needed), data intact' {
        $script:dev = New-VbdDevice -Name hguest -Personality Hardened -SizeBytes 32MB -FrontendAbi X86_64 -BackendAbi X86_32 -BackendMode Native
        $null = Invoke-Srb -Name hguest -Write -Lba 2048 -BlockCount 8 -BufferAlignment 3
        $text = Show (Set-BackendAbi -Name hguest -Abi X86_64 -Mode Native)
        $text | Should -Match 'hguest\s+X86_32 -> X86_64\s+X86_32 -> X86_64\s+True\s+\d+\s+Ready'
        Show (Get-VbdRing -Name hguest) | Should -Match 'Ring X86_64: 1 page, 32 entries x 112 bytes'
        Show (Get-VbdDevice -Name hguest) | Should -Match 'hguest\s+Ready\s+32\s+X86_64\s+X86_64\s+Native\s+kept X86_64'
        Test-VbdIntegrity -Name hguest | Should -BeTrue
    }
}
