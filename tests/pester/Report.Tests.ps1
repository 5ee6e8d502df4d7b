# The lab report in a real browser: headless Chromium loads index.html from disk (offline), every chart
# renders, nothing is logged to the console, and screenshots are kept in out/TestResults/report/ for a
# person to look at. Without Chromium the test is skipped and says how to install it.
Describe 'The lab report in headless Chromium' {
    BeforeAll {
        $root = (Resolve-Path "$PSScriptRoot/../..").Path
        Import-Module (Join-Path $root 'XenVbd.psd1') -Force -ErrorAction Stop
        $script:exe = (@('chromium', 'chromium-browser', 'google-chrome') |
            ForEach-Object { Get-Command $_ -CommandType Application -ErrorAction SilentlyContinue } | Select-Object -First 1).Source
        $script:shots = Join-Path $root 'out/TestResults/report'
        $null = New-Item -ItemType Directory -Force $shots
        $script:report = Join-Path $TestDrive 'report'
        $null = Invoke-VbdLab -Name MisalignedBuffers, BitnessMatrix -ReportPath $report
        $script:page = [Uri]::new((Join-Path $report 'index.html')).AbsoluteUri
        $script:html = Get-Content -Raw (Join-Path $report 'index.html')
        # Headless Chromium as root needs --no-sandbox; a throwaway profile keeps runs independent.
        $script:common = @('--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--enable-logging=stderr', '--v=0',
            "--user-data-dir=$(Join-Path $TestDrive 'profile')", '--virtual-time-budget=10000')
    }
    AfterAll { Remove-Module XenVbd -Force -ErrorAction SilentlyContinue }

    It 'draws every chart with no console message and no script error' {
        if (-not $exe) { Set-ItResult -Skipped -Because 'Chromium is not installed (apt-get install chromium)'; return }
        $log = Join-Path $TestDrive 'console.log'
        $dom = & $exe @common '--dump-dom' $page 2>$log
        $expected = ([regex]::Matches($html, '<div class="chart" data-spec=')).Count
        $expected | Should -BeGreaterThan 10
        $status = [regex]::Match(($dom -join "`n"), '<div id="render-status" data-charts="(\d+)" data-errors="(\d+)">([^<]*)')
        $status.Success | Should -BeTrue -Because 'the page script reports what it drew'
        [int] $status.Groups[2].Value | Should -Be 0 -Because "script errors: $($status.Groups[3].Value)"
        [int] $status.Groups[1].Value | Should -Be $expected
        $console = @(Get-Content -LiteralPath $log | Where-Object { $_ -match ':CONSOLE' })
        $console | Should -BeNullOrEmpty
    }

    It 'renders screenshots that are not blank (kept in out/TestResults/report)' {
        if (-not $exe) { Set-ItResult -Skipped -Because 'Chromium is not installed (apt-get install chromium)'; return }
        foreach ($shot in @(@{ Name = 'report-top.png'; Size = '1400,2600' }, @{ Name = 'report-narrow.png'; Size = '800,1800' })) {
            $file = Join-Path $shots $shot.Name
            if (Test-Path $file) { Remove-Item $file }
            $null = & $exe @common "--window-size=$($shot.Size)" "--screenshot=$file" $page 2>$null
            Test-Path $file | Should -BeTrue
            # A blank page compresses to about 8 KB; charts, legends and text are tens of KB more.
            (Get-Item $file).Length | Should -BeGreaterThan 60KB
        }
    }
}
