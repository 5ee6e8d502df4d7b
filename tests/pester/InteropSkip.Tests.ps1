# tests/interop/run.sh finds a missing optional prerequisite by trying, and counts it as a skip that
# names the package: here a machine without gcc-multilib is imitated by a gcc in front of the real one
# that fails -m32 exactly as Debian 12's does there (bits/libc-header-start.h).
BeforeDiscovery {
    $script:noBash = -not (Get-Command bash -CommandType Application -ErrorAction SilentlyContinue) -or $IsWindows
}

Describe 'tests/interop/run.sh on a machine without gcc-multilib' -Skip:$noBash {
    BeforeAll {
        $root = (Resolve-Path "$PSScriptRoot/../..").Path
        $shim = Join-Path ([IO.Path]::GetTempPath()) "xenvbd-nomultilib-$PID"
        $null = New-Item -ItemType Directory -Force $shim
        Set-Content -LiteralPath (Join-Path $shim 'gcc') -Value @'
#!/bin/sh
for a in "$@"; do
    if [ "$a" = -m32 ]; then
        echo "/usr/include/stdio.h:27:10: fatal error: bits/libc-header-start.h: No such file or directory" >&2
        exit 1
    fi
done
exec gcc-real-for-test "$@"
'@
        & chmod +x (Join-Path $shim 'gcc')
        $realGcc = (Get-Command gcc -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1).Source
        if ($realGcc) { $null = New-Item -ItemType SymbolicLink -Force -Path (Join-Path $shim 'gcc-real-for-test') -Target $realGcc }
        $saved = @{ PATH = $env:PATH; ABIS = $env:XENVBD_INTEROP_ABIS; REQ = $env:XENVBD_REQUIRE_INTEROP }
    }
    AfterAll {
        $env:PATH = $saved.PATH; $env:XENVBD_INTEROP_ABIS = $saved.ABIS; $env:XENVBD_REQUIRE_INTEROP = $saved.REQ
        Remove-Item -Recurse -Force $shim -ErrorAction SilentlyContinue
    }

    It 'skips x86_32, says "apt-get install gcc-multilib", counts one skip and exits 0' {
        if (-not (Test-Path /usr/include/xen/io/ring.h)) { Set-ItResult -Skipped -Because 'libxen-dev is not installed (apt-get install libxen-dev)'; return }
        $env:PATH = $shim + [IO.Path]::PathSeparator + $saved.PATH
        $env:XENVBD_INTEROP_ABIS = '32'
        $env:XENVBD_REQUIRE_INTEROP = '0'
        $out = & bash (Join-Path $root 'tests/interop/run.sh') 2>&1 | ForEach-Object { "$_" }
        $code = $LASTEXITCODE
        ($out -join "`n") | Should -Match 'SKIPPED x86_32.*bits/libc-header-start\.h.*apt-get install gcc-multilib'
        $out[-1] | Should -Be '0 passed, 0 failed, 1 skipped'
        $code | Should -Be 0
    }

    It 'fails instead when XENVBD_REQUIRE_INTEROP=1 (as .ci/run sets it)' {
        if (-not (Test-Path /usr/include/xen/io/ring.h)) { Set-ItResult -Skipped -Because 'libxen-dev is not installed (apt-get install libxen-dev)'; return }
        $env:PATH = $shim + [IO.Path]::PathSeparator + $saved.PATH
        $env:XENVBD_INTEROP_ABIS = '32'
        $env:XENVBD_REQUIRE_INTEROP = '1'
        $out = & bash (Join-Path $root 'tests/interop/run.sh') 2>&1 | ForEach-Object { "$_" }
        $LASTEXITCODE | Should -Be 1
        $out[-1] | Should -Be '0 passed, 1 failed, 0 skipped'
    }
}
