BeforeAll {
    $root = (Resolve-Path "$PSScriptRoot/../..").Path
    Import-Module (Join-Path $root 'XenVbd.psd1') -Force -ErrorAction Stop

    function Get-Row($Rows, $Structure, $Field) {
        $Rows | Where-Object { $_.Structure -eq $Structure -and $_.Field -eq $Field }
    }
}

AfterAll {
    Remove-Module XenVbd -Force -ErrorAction SilentlyContinue
}

Describe 'Get-BlkifLayout' {
    Context 'without -Abi' {
        BeforeAll { $rows = @(Get-BlkifLayout) }

        It 'returns both ABIs, x86_32 first' {
            ($rows.Abi | Select-Object -Unique | ForEach-Object ToString) | Should -Be @('X86_32', 'X86_64')
            $rows[0].Abi.ToString() | Should -Be 'X86_32'
        }

        It 'returns objects with Abi, Structure, Field, Offset and Size' {
            foreach ($p in 'Abi', 'Structure', 'Field', 'Offset', 'Size') {
                $rows[0].PSObject.Properties.Name | Should -Contain $p
            }
            $rows[0].PSObject.TypeNames[0] | Should -Be 'XenVbd.Ring.BlkifFieldInfo'
        }

        It 'declares the type it returns' {
            (Get-Command Get-BlkifLayout).OutputType.Name | Should -Contain 'XenVbd.Ring.BlkifFieldInfo'
        }
    }

    Context '-Abi <Abi>' -ForEach @(
        @{ Abi = 'X86_64'; Id = 8; Sector = 16; Seg = 24; Request = 112; Response = 16 }
        @{ Abi = 'X86_32'; Id = 4; Sector = 12; Seg = 20; Request = 108; Response = 12 }
    ) {
        BeforeAll { $rows = @(Get-BlkifLayout -Abi $Abi) }

        It 'returns only that ABI' {
            $rows.Abi | Select-Object -Unique | Should -Be $Abi
        }

        It 'puts request.id at <Id>, sector_number at <Sector>, seg at <Seg>' {
            (Get-Row $rows blkif_request id).Offset | Should -Be $Id
            (Get-Row $rows blkif_request sector_number).Offset | Should -Be $Sector
            (Get-Row $rows blkif_request seg).Offset | Should -Be $Seg
        }

        It 'has a <Request>-byte request and a <Response>-byte response' {
            (Get-Row $rows blkif_request '(size)').Size | Should -Be $Request
            (Get-Row $rows blkif_response '(size)').Size | Should -Be $Response
        }

        It 'starts ring entries at byte 64 of the shared page' {
            (Get-Row $rows blkif_sring ring).Offset | Should -Be 64
        }
    }

    Context 'input forms' {
        It 'accepts <Value> for -Abi' -ForEach @(
            @{ Value = 'x86_64'; Expected = 'X86_64' }
            @{ Value = 'x86_32-abi'; Expected = 'X86_32' }
            @{ Value = 'x86_64-abi'; Expected = 'X86_64' }
            @{ Value = 64; Expected = 'X86_64' }
            @{ Value = '32'; Expected = 'X86_32' }
        ) {
            (Get-BlkifLayout -Abi $Value).Abi | Select-Object -Unique | ForEach-Object ToString | Should -Be $Expected
        }

        It 'takes ABIs from the pipeline by value' {
            $rows = 'X86_64', 'X86_32' | Get-BlkifLayout
            ($rows.Abi | Select-Object -Unique | ForEach-Object ToString) | Should -Be @('X86_64', 'X86_32')
        }

        It 'takes the Abi property from the pipeline' {
            $rows = [pscustomobject]@{ Abi = 'x86_32-abi'; Name = 'vbd0' } | Get-BlkifLayout
            $rows.Abi | Select-Object -Unique | ForEach-Object ToString | Should -Be 'X86_32'
        }

        It 'takes -Abi by position' {
            (Get-BlkifLayout X86_64).Abi | Select-Object -Unique | ForEach-Object ToString | Should -Be 'X86_64'
        }
    }

    Context 'bad input' {
        It 'rejects an unknown ABI with a parameter binding error, not a stack trace' {
            $err = $null
            try { Get-BlkifLayout -Abi x86_16 -ErrorAction Stop } catch { $err = $_ }
            $err | Should -Not -BeNullOrEmpty
            $err.FullyQualifiedErrorId | Should -BeLike 'CannotConvertArgument*,XenVbd.PowerShell.Cmdlets.GetBlkifLayoutCommand'
            $err.Exception.GetType().Name | Should -Be 'ParameterBindingException'
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err.Exception.Message | Should -BeLike '*X86_32*X86_64*'
        }
    }

    Context 'default view' {
        It 'renders as a table grouped by ABI with Offset, Size and End' {
            $text = Get-BlkifLayout | Out-String -Width 120
            $text | Should -Match 'ABI: X86_32'
            $text | Should -Match 'ABI: X86_64'
            $text | Should -Match 'Structure\s+Field\s+Offset\s+Size\s+End'
            $text | Should -Match 'blkif_request\s+sector_number\s+16\s+8\s+24'
        }

        It 'renders Format-List and Format-Table without error' {
            { Get-BlkifLayout -Abi X86_32 | Format-List | Out-String } | Should -Not -Throw
            { Get-BlkifLayout -Abi X86_32 | Format-Table * | Out-String } | Should -Not -Throw
        }
    }
}
