# The default views: every column is a real property of the object (so Select-Object, Where-Object and
# Sort-Object work on what a table shows), and every table fits 80 columns, checked by rendering real
# objects at 80 and at 120 columns under real pwsh (Out-String -Width, independent of the terminal).
BeforeAll {
    $root = (Resolve-Path "$PSScriptRoot/../..").Path
    Import-Module (Join-Path $root 'XenVbd.psd1') -Force -ErrorAction Stop
    [xml] $script:format = Get-Content -Raw -LiteralPath (Join-Path $root 'XenVbd.Format.ps1xml')

    # One real object per table view, made the way a user makes them.
    # Hardened: it follows the migration the samples make (GPLPV 2008b would keep the stale layout and hang the walk-through's READ).
    $null = New-VbdDevice -Name viewguest -Personality Hardened -FrontendAbi X86_64 -BackendAbi X86_32 -BackendMode Native
    $null = New-VbdDevice -Name viewimg -SizeBytes 1GB -QueueDepth 4
    $script:samples = @{
        'XenVbd.Ring.BlkifFieldInfo'         = @(Get-BlkifLayout -Abi X86_32)
        'XenVbd.Device.VbdDevice'            = @(Get-VbdDevice)
        'XenVbd.PowerShell.VbdSrbResult'     = @(Invoke-Srb viewguest -Write -Lba 2048 -BlockCount 8 -BufferAlignment 3; Invoke-Srb viewguest -Read -Lba 99999999 -BlockCount 1 -ErrorAction SilentlyContinue)
        'XenVbd.Device.MigrationResult'      = @(Set-BackendAbi viewguest -Abi X86_64 -Mode Native)
        'XenVbd.Frontend.RingSnapshot'       = @(Get-VbdRing viewguest)
        'XenVbd.PowerShell.VbdXenStoreEntry' = @(Get-VbdXenStore viewguest)
        'XenVbd.Faults.FaultRule'            = @(Add-VbdFault viewimg -Kind Latency -Delay 00:00:00.001 -FaultName slow; Add-VbdFault viewimg -Kind Drop -Rate 0.001 -MaxCount 2)
        'XenVbd.Workload.WorkloadResult'     = @(Invoke-VbdWorkload viewimg -Count 200 -QueueDepth 4)
        'XenVbd.Workload.WorkloadResult#Personality' = @(Invoke-VbdWorkload -Personality Gplpv2012, LinuxBlkfront -Count 50 -QueueDepth 2)
        'XenVbd.Frontend.FrontendStatistics' = @(Get-VbdStatistic)
        'XenVbd.Lab.LabResult'               = @(Invoke-VbdLab -Name Migration, RogueBackend -Personality Gplpv2012, LinuxBlkfront)
        'XenVbd.Lab.LabOutcome'              = @((Invoke-VbdLab -Name RogueBackend -Personality Gplpv2012).Outcomes)
        'XenVbd.PowerShell.VbdPersonality'   = @(Get-VbdPersonality)
        'XenVbd.PowerShell.VbdPersonalityBehaviour' = @(Get-VbdPersonality -Name Gplpv2012 -Detailed)
    }
    # A small campaign and the merge of its one shard: results and a report to render.
    $campaignDir = Join-Path $TestDrive 'campaign'
    $script:samples['XenVbd.Campaign.CampaignResult'] = @(Invoke-VbdCampaign -FrontendAbi X86_32, X86_64 -Workload @{ w = @{ Count = 20 } } -SeedCount 1 -NoShrink -OutputDirectory $campaignDir)
    $script:samples['XenVbd.Campaign.CampaignReport'] = @(Merge-VbdCampaign -Path $campaignDir -OutputDirectory (Join-Path $TestDrive 'merged'))
    # A lost response leaves its request on the ring: an in-flight slot to show.
    $null = New-VbdDevice -Name viewdrop -RequestTimeout 00:00:01
    $null = Add-VbdFault viewdrop -Kind Drop -Rate 1 -MaxCount 1
    $null = Invoke-Srb viewdrop -Read -Lba 0 -BlockCount 1 -ErrorAction SilentlyContinue
    $script:samples['XenVbd.Frontend.RingSlotInfo'] = @(Get-VbdRing viewdrop -InFlight)

    $script:tables = foreach ($view in $format.Configuration.ViewDefinitions.View) {
        if (-not $view.TableControl) { continue }
        [pscustomobject]@{
            View    = $view.Name
            Type    = $view.ViewSelectedBy.TypeName
            Headers = @($view.TableControl.TableHeaders.TableColumnHeader)
            Items   = @($view.TableControl.TableRowEntries.TableRowEntry.TableColumnItems.TableColumnItem)
        }
    }
}

AfterAll {
    Get-VbdDevice | Remove-VbdDevice -Confirm:$false
    Remove-Module XenVbd -Force -ErrorAction SilentlyContinue
}

Describe 'Default views' {
    It 'every table and list column names a property, under its own name (no script blocks)' {
        foreach ($t in $tables) {
            for ($i = 0; $i -lt $t.Items.Count; $i++) {
                $t.Items[$i].PropertyName | Should -Not -BeNullOrEmpty -Because "$($t.View) column $i must be a property"
                $t.Headers[$i].Label | Should -BeExactly $t.Items[$i].PropertyName -Because "$($t.View): the header is the property's name"
            }
        }
        foreach ($view in $format.Configuration.ViewDefinitions.View | Where-Object { $_.ListControl }) {
            foreach ($item in $view.ListControl.ListEntries.ListEntry.ListItems.ListItem) {
                $item.PropertyName | Should -Not -BeNullOrEmpty -Because "$($view.Name): every list row is a property"
            }
        }
    }

    It 'every table is designed for 80 columns (fixed widths leave the last column room for its header)' {
        foreach ($t in $tables) {
            $fixed = @($t.Headers | Select-Object -SkipLast 1 | ForEach-Object { [int] $_.Width })
            $last = $t.Headers[-1]
            $room = if ($last.Width) { [int] $last.Width } else { $last.Label.Length }
            ($fixed | Measure-Object -Sum).Sum + $fixed.Count + $room | Should -BeLessOrEqual 79 -Because "$($t.View) must fit 80 columns"
        }
    }

    It 'has a sample for every table view' {
        foreach ($t in $tables) { $samples.ContainsKey($t.Type) | Should -BeTrue -Because "$($t.Type) needs a rendering test" }
    }

    It 'Select-Object, Where-Object and Sort-Object work on every column of <_>' -ForEach @(
        'XenVbd.Ring.BlkifFieldInfo', 'XenVbd.Device.VbdDevice', 'XenVbd.PowerShell.VbdSrbResult', 'XenVbd.Device.MigrationResult',
        'XenVbd.Frontend.RingSnapshot', 'XenVbd.Frontend.RingSlotInfo', 'XenVbd.PowerShell.VbdXenStoreEntry', 'XenVbd.Faults.FaultRule',
        'XenVbd.Workload.WorkloadResult', 'XenVbd.Workload.WorkloadResult#Personality', 'XenVbd.Frontend.FrontendStatistics', 'XenVbd.Lab.LabResult', 'XenVbd.Lab.LabOutcome',
        'XenVbd.PowerShell.VbdPersonality', 'XenVbd.PowerShell.VbdPersonalityBehaviour', 'XenVbd.Campaign.CampaignResult', 'XenVbd.Campaign.CampaignReport') {
        $type = $_
        $objects = @($samples[$type])
        if ($objects.Count -eq 0) { Set-ItResult -Skipped -Because "no $type object to look at (nothing in flight)"; return }
        foreach ($t in $tables | Where-Object Type -EQ $type) {
            foreach ($column in $t.Items.PropertyName) {
                $objects[0].PSObject.Properties[$column] | Should -Not -BeNullOrEmpty -Because "$type has a $column property"
                $selected = @($objects | Select-Object -Property $column)
                $selected.Count | Should -Be $objects.Count
                @($objects | Sort-Object -Property $column).Count | Should -Be $objects.Count
                $v = $objects[0].$column
                @($objects | Where-Object { $_.$column -eq $v }).Count | Should -BeGreaterThan 0
            }
        }
    }

    It 'Get-VbdDevice | Select-Object SizeBytes, Probe, Disk, QueueDepth has values' {
        $rows = @(Get-VbdDevice | Select-Object SizeBytes, Probe, Disk, QueueDepth)
        $rows.Count | Should -BeGreaterThan 0
        foreach ($r in $rows) { $r.SizeBytes | Should -BeGreaterThan 0; $r.Probe | Should -Not -BeNullOrEmpty; $r.Disk | Should -Be '(in memory)'; $r.QueueDepth | Should -BeGreaterThan 0 }
        @(Get-VbdDevice | Where-Object QueueDepth -EQ 4).Name | Should -Be 'viewimg'
    }

    It 'renders <_> at 80 and 120 columns: header in one line, every column named in full, no line too long' -ForEach @(
        'XenVbd.Ring.BlkifFieldInfo', 'XenVbd.Device.VbdDevice', 'XenVbd.PowerShell.VbdSrbResult', 'XenVbd.Device.MigrationResult',
        'XenVbd.Frontend.RingSnapshot', 'XenVbd.Frontend.RingSlotInfo', 'XenVbd.PowerShell.VbdXenStoreEntry', 'XenVbd.Faults.FaultRule',
        'XenVbd.Workload.WorkloadResult', 'XenVbd.Workload.WorkloadResult#Personality', 'XenVbd.Frontend.FrontendStatistics', 'XenVbd.Lab.LabResult', 'XenVbd.Lab.LabOutcome',
        'XenVbd.PowerShell.VbdPersonality', 'XenVbd.PowerShell.VbdPersonalityBehaviour', 'XenVbd.Campaign.CampaignResult', 'XenVbd.Campaign.CampaignReport') {
        $type = $_
        $objects = @($samples[$type])
        if ($objects.Count -eq 0) { Set-ItResult -Skipped -Because "no $type object to look at (nothing in flight)"; return }
        foreach ($t in $tables | Where-Object Type -EQ $type) {
            foreach ($width in 80, 120) {
                $text = $objects | Format-Table -View $t.View | Out-String -Width $width
                $lines = $text -split "`r?`n"
                foreach ($line in $lines) { $line.Length | Should -BeLessOrEqual $width -Because "$($t.View) at $width`: '$line'" }
                $header = $lines | Where-Object { $_ -match ('^\s*' + [regex]::Escape($t.Headers[0].Label) + '\s') } | Select-Object -First 1
                $header | Should -Not -BeNullOrEmpty -Because "$($t.View) at $width has a header line"
                foreach ($label in $t.Headers.Label) {
                    $header | Should -Match ('(^|\s)' + [regex]::Escape($label) + '(\s|$)') -Because "$($t.View) at $width shows the $label column in full"
                }
                $header | Should -Not -Match '…'
            }
        }
    }

    It 'shows the columns the walk-through talks about at 80 columns' {
        $srb = Invoke-Srb viewguest -Read -Lba 2048 -BlockCount 8 -BufferAlignment 3 | Out-String -Width 80
        $srb | Should -Match 'Reqs\s+Bounce\s+LatencyUs'
        $srb | Should -Match 'viewguest\s+READ\(10\)\s+2048\s+Success\s+4096\s+1\s+1\s+'
        $w = Invoke-VbdWorkload viewimg -Count 50 | Out-String -Width 80
        $w | Should -Match 'Errors\s+ViolationCount'
        $f = Get-VbdFault viewimg | Out-String -Width 80
        $f | Should -Match 'Limit\s+Injected\s+FaultName'
        $f | Should -Match 'unlimited'
        $m = Set-BackendAbi viewguest -Abi X86_32 -Mode Native | Out-String -Width 80
        $m | Should -Match 'Resubmitted\s+State'
    }
}
