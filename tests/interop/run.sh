#!/usr/bin/env bash
# The interop suite: C programs built against Xen's public headers (-m32 and -m64) check the
# C# blkif layouts and exchange real ring pages with the C# model both ways. See README.md.
#
#   bash tests/interop/run.sh            ends with "N passed, N failed"; exit 1 on any failure
#   XENVBD_REQUIRE_INTEROP=1 ...         a missing prerequisite (gcc, libxen-dev, gcc-multilib,
#                                        a way to run 32-bit code, qemu-system-xen) is a failure, not a skip
#   A skipped part counts once in ", N skipped" and is named in "interop: not run: ...".
#   XENVBD_INTEROP_ABIS="32" ...         only these bitnesses (default "64 32")
# A missing prerequisite is found by trying (a one-line program compiled with -m32/-m64 and run,
# natively or under qemu-i386), not by looking for files: the errors differ between releases.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build="$here/build"
require="${XENVBD_REQUIRE_INTEROP:-0}"
passed=0
failed=0
skipped=""
skips=0

finish() {
    [ -n "$skipped" ] && echo "interop: not run:$skipped"
    echo "$passed passed, $failed failed, $skips skipped"
    [ "$failed" -eq 0 ]
    exit $?
}

# A prerequisite is missing: a skip that says what to install (counted as skipped), or a
# failure when the suite is required.
missing() {
    echo "interop: SKIPPED $2: $1"
    if [ "$require" = "1" ]; then
        echo "interop: XENVBD_REQUIRE_INTEROP=1, so this is a failure"
        failed=$((failed + 1))
    else
        skips=$((skips + 1))
    fi
    skipped="$skipped $2"
}

if ! command -v gcc >/dev/null 2>&1; then
    missing "gcc not found: apt-get install gcc gcc-multilib" "everything"
    finish
fi
if [ ! -f /usr/include/xen/io/ring.h ] || [ ! -f /usr/include/xen/io/blkif.h ]; then
    missing "/usr/include/xen/io/ring.h not found: apt-get install libxen-dev" "everything"
    finish
fi
if ! command -v dotnet >/dev/null 2>&1; then
    missing "dotnet not found: the C# side cannot run (install the .NET SDK)" "everything"
    finish
fi

mkdir -p "$build"

# probe <bits>: can this machine build and run a -m<bits> C program? Sets runner_<bits> to the
# command prefix that runs one ("" natively, "qemu-i386"), or returns 1 after missing().
probe() {
    local bits=$1 src="$build/probe.c" out="$build/probe-m$1" log="$build/probe-m$1.log"
    printf '#include <stdio.h>\n#include <stdint.h>\nint main(void) { printf("%%zu\\n", sizeof(void *)); return 0; }\n' >"$src"
    if ! gcc -m"$bits" -o "$out" "$src" >"$log" 2>&1; then
        local pkg="gcc-multilib"
        [ "$bits" = 64 ] && pkg="libc6-dev"
        missing "gcc -m$bits cannot build a one-line C program ($(grep -m1 -i 'error' "$log" | sed 's/^.*error: //')): apt-get install $pkg" "x86_$bits shm-x86_$bits"
        return 1
    fi
    if [ "$("$out" 2>/dev/null)" = "$((bits / 8))" ]; then
        eval "runner_$bits=''"
        return 0
    fi
    if [ "$bits" = 32 ] && command -v qemu-i386 >/dev/null 2>&1 && [ "$(qemu-i386 "$out" 2>/dev/null)" = 4 ]; then
        eval "runner_$bits=qemu-i386"
        return 0
    fi
    local how="apt-get install qemu-user"
    [ "$bits" = 64 ] && how="a 64-bit machine"
    missing "cannot run -m$bits programs here (no ia32 emulation in the kernel?): $how" "x86_$bits shm-x86_$bits"
    return 1
}

abis=""
for bits in ${XENVBD_INTEROP_ABIS:-64 32}; do
    if probe "$bits"; then abis="$abis $bits"; fi
done
if [ -z "$abis" ]; then
    finish
fi

cflags=(-std=gnu11 -Wall -Wextra -Werror -O2 -fno-strict-aliasing -D__XEN_INTERFACE_VERSION__=0x00040e00)

# compile <bits> <name>: build/<name>-m<bits> from <name>.c, only when a source is newer.
compile() {
    local bits=$1 name=$2 out="$build/$2-m$1"
    if [ -x "$out" ] && [ "$out" -nt "$here/$name.c" ] && [ "$out" -nt "$here/common.h" ]; then return 0; fi
    gcc -m"$bits" "${cflags[@]}" -o "$out" "$here/$name.c"
}

# Tally the PASS/FAIL lines of one step; a step that dies without a FAIL line counts as one failure.
tally() {
    local label=$1 status=$2 file=$3 p f
    p=$(grep -c '^PASS' "$file")
    f=$(grep -c '^FAIL' "$file")
    grep '^FAIL' "$file" | sed 's/^/  /'
    if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "  FAIL $label: exited with status $status"
        sed 's/^/    /' "$file" | tail -5
        f=1
    fi
    echo "$label: $p passed, $f failed"
    passed=$((passed + p))
    failed=$((failed + f))
}

# The C# side: build once, then run the dll (no per-call build).
echo "interop: building tests/interop/RingTool"
if ! dotnet build "$here/RingTool/RingTool.csproj" -c Release -nologo -v quiet >"$build/ringtool-build.log" 2>&1; then
    cat "$build/ringtool-build.log"
    echo "interop: RingTool did not build"
    failed=$((failed + 1))
    finish
fi
ringtool=(dotnet "$here/RingTool/bin/Release/net10.0/RingTool.dll")

# ring-page-order:start pairs; the starts put the run of entries across the 2^32 index wrap,
# across the end of the ring, or on a fresh ring.
cases=("0:4294967294" "0:0" "1:4294967232" "2:2147483647" "3:4294967291" "4:4294967293")

for bits in $abis; do
    abi="x86_$bits"
    if ! compile "$bits" layout 2>"$build/gcc-m$bits.log" || ! compile "$bits" ringcheck 2>>"$build/gcc-m$bits.log"; then
        cat "$build/gcc-m$bits.log"
        echo "FAIL $abi: C programs did not compile"
        failed=$((failed + 1))
        continue
    fi
    # How to run this ABI's programs (probe above): natively, or through qemu user mode where the
    # kernel has no 32-bit emulation (ia32_emulation=off).
    runner="runner_$bits"
    run=(${!runner})
    echo "interop: $abi${run:+ (via ${run[*]})}"

    # 1. Layout: every row gcc prints must match the C# table, and the other way round.
    "${run[@]}" "$build/layout-m$bits" >"$build/layout-c-m$bits.txt"; s1=$?
    "${ringtool[@]}" layout "$abi" >"$build/layout-cs-m$bits.txt"; s2=$?
    awk -v abi="$abi" '
        NR == FNR { k = $1; c[k] = substr($0, length(k) + 2); order[++n] = k; next }
        { k = $1; cs[k] = substr($0, length(k) + 2) }
        END {
            for (i = 1; i <= n; i++) {
                k = order[i]
                if (!(k in cs)) print "FAIL " abi " layout " k ": C# has no such row (gcc: " c[k] ")"
                else if (cs[k] != c[k]) print "FAIL " abi " layout " k ": gcc says " c[k] ", C# says " cs[k]
                else print "PASS " abi " layout " k " " c[k]
            }
            for (k in cs) if (!(k in c)) print "FAIL " abi " layout " k ": only C# has this row"
        }' "$build/layout-c-m$bits.txt" "$build/layout-cs-m$bits.txt" >"$build/layout-m$bits.out"
    tally "$abi layout (gcc vs C#)" $((s1 | s2)) "$build/layout-m$bits.out"

    # 2. Pages both ways, per ring-page-order.
    for c in "${cases[@]}"; do
        order=${c%%:*}
        start=${c#*:}
        base="$build/$abi-o$order-s$start"
        { "${ringtool[@]}" encode "$abi" "$order" "$start" "$base-cs.page" "$base-cs.expect" &&
          "${run[@]}" "$build/ringcheck-m$bits" check "$base-cs.page" "$base-cs.expect"; } >"$base-cs.out" 2>&1
        tally "$abi order $order start $start: C# writes, gcc reads" $? "$base-cs.out"
        { "${run[@]}" "$build/ringcheck-m$bits" encode "$order" "$start" "$base-c.page" "$base-c.expect" &&
          "${ringtool[@]}" check "$base-c.page" "$base-c.expect"; } >"$base-c.out" 2>&1
        tally "$abi order $order start $start: gcc writes, C# reads" $? "$base-c.out"
    done
done

# 3. Shared-memory peers (tests/interop/shm, docs/shared-memory.md): the C backend built on ring.h
#    serves the C# frontend through the file, and the C frontend drives the C# blkback, for both
#    ABIs. Each pair runs as two processes; the backend waits for the file the frontend creates.
shm="$here/shm"
echo "interop: building tests/interop/shm/ShmTool"
if ! dotnet build "$shm/ShmTool/ShmTool.csproj" -c Release -nologo -v quiet >"$build/shmtool-build.log" 2>&1; then
    cat "$build/shmtool-build.log"
    echo "FAIL shm: ShmTool did not build"
    failed=$((failed + 1))
    finish
fi
shmtool=(dotnet "$shm/ShmTool/bin/Release/net10.0/ShmTool.dll")
shm_timeout=20000

compile_shm() {
    local bits=$1 name=$2 out="$build/$2-m$1"
    if [ -x "$out" ] && [ "$out" -nt "$shm/$name.c" ] && [ "$out" -nt "$shm/shm.h" ] && [ "$out" -nt "$here/common.h" ]; then return 0; fi
    gcc -m"$bits" "${cflags[@]}" -o "$out" "$shm/$name.c"
}

# pair <label> <out-base> <backend command...> -- <frontend command...>: backend in the background.
pair() {
    local label=$1 base=$2 i bcmd=() fcmd=() bpid bs fs
    shift 2
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do bcmd+=("$1"); shift; done
    shift
    fcmd=("$@")
    rm -f "$base.shm"
    "${bcmd[@]}" >"$base-back.out" 2>&1 &
    bpid=$!
    "${fcmd[@]}" >"$base-front.out" 2>&1; fs=$?
    wait "$bpid"; bs=$?
    tally "$label (frontend side)" $fs "$base-front.out"
    tally "$label (backend side)" $bs "$base-back.out"
    grep -h '^C# frontend' "$base-back.out" "$base-front.out" | sed 's/^/  /'
}

for bits in $abis; do
    abi="x86_$bits"
    if ! compile_shm "$bits" shm_back 2>"$build/gcc-shm-m$bits.log" || ! compile_shm "$bits" shm_front 2>>"$build/gcc-shm-m$bits.log"; then
        cat "$build/gcc-shm-m$bits.log"
        echo "FAIL shm $abi: C peers did not compile"
        failed=$((failed + 1))
        continue
    fi
    runner="runner_$bits"
    run=(${!runner})
    echo "interop: shared memory, $abi C peers${run:+ (via ${run[*]})}"

    # Header layout: shm.h and ShmLayout.cs agree row by row.
    "${run[@]}" "$build/shm_back-m$bits" layout >"$build/shm-layout-c-m$bits.txt"; s1=$?
    "${shmtool[@]}" layout >"$build/shm-layout-cs.txt"; s2=$?
    awk -v abi="$abi" '
        NR == FNR { c[$1] = $2; order[++n] = $1; next }
        { cs[$1] = $2 }
        END {
            for (i = 1; i <= n; i++) { k = order[i]
                if (!(k in cs)) print "FAIL " abi " " k ": C# has no such row"
                else if (cs[k] != c[k]) print "FAIL " abi " " k ": shm.h says " c[k] ", C# says " cs[k]
                else print "PASS " abi " " k " " c[k] }
            for (k in cs) if (!(k in c)) print "FAIL " abi " " k ": only C# has this row"
        }' "$build/shm-layout-c-m$bits.txt" "$build/shm-layout-cs.txt" >"$build/shm-layout-m$bits.out"
    tally "$abi shm header layout (shm.h vs C#)" $((s1 | s2)) "$build/shm-layout-m$bits.out"

    # C# frontend (GPLPV probe mode, both layouts) served by the Native C backend of this bitness:
    # the probe must end on the backend's layout and switch exactly when the layouts differ.
    for fe in x86_64 x86_32; do
        for order in 0 2; do
            base="$build/shm-csfront-$fe-cback-m$bits-o$order"
            : >"$base.img"; truncate -s 8M "$base.img"
            pair "shm: C# frontend $fe (probe, order $order) <-> C backend $abi" "$base" \
                "${run[@]}" "$build/shm_back-m$bits" serve "$base.shm" "$base.img" "$shm_timeout" -- \
                "${shmtool[@]}" front "$base.shm" "$fe" probe "$order" "$abi" "$shm_timeout"
        done
    done

    # C frontend of this bitness (announces its layout) driving the C# blkback in Protocol mode.
    for order in 0 2; do
        base="$build/shm-cfront-m$bits-csback-o$order"
        : >"$base.img"; truncate -s 8M "$base.img"
        pair "shm: C frontend $abi (order $order) <-> C# blkback (Protocol)" "$base" \
            "${shmtool[@]}" back "$base.shm" "$base.img" "$shm_timeout" -- \
            "${run[@]}" "$build/shm_front-m$bits" run "$base.shm" "$order" "$base.img" "$shm_timeout"
    done
done

# 4. A real, independent backend: QEMU's xen-disk from qemu-system-xen, under the Xen stand-in
#    (XenVbd.PowerShell/native/xen-standin), serving the C# frontend through the shared-memory file, plus the
#    differential suite against the model's QEMU personality. Run once per QEMU version: the installed
#    one (7.2 on bookworm), then QEMU 10 when XENVBD_QEMU10 names it or tests/interop/qemu/fetch-qemu10.sh
#    has cached it (.ci/run fetches it and sets XENVBD_REQUIRE_QEMU10=1).
qemu_suite() {
    local label=$1 out=$2 qs qline
    shift 2
    echo "interop: QEMU's Xen block backend, $label (tests/interop/qemu/run.sh)"
    env "$@" bash "$here/qemu/run.sh" >"$out" 2>&1; qs=$?
    grep -v '^PASS' "$out" | sed '$d'
    qline=$(tail -1 "$out")
    if [[ "$qline" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed(,\ ([0-9]+)\ skipped)?$ ]]; then
        passed=$((passed + BASH_REMATCH[1]))
        failed=$((failed + BASH_REMATCH[2]))
        if [ -n "${BASH_REMATCH[4]}" ]; then
            skips=$((skips + BASH_REMATCH[4]))
            skipped="$skipped qemu($label)"
        fi
        if [ "$qs" -ne 0 ] && [ "${BASH_REMATCH[2]}" -eq 0 ]; then echo "FAIL qemu: exited with status $qs"; failed=$((failed + 1)); fi
    else
        tail -5 "$out"
        echo "FAIL qemu ($label): tests/interop/qemu/run.sh printed no summary line (status $qs)"
        failed=$((failed + 1))
    fi
}
qemu_suite "installed QEMU" "$build/qemu-suite.out"
qemu10="${XENVBD_QEMU10:-${XDG_CACHE_HOME:-$HOME/.cache}/xenvbd/qemu10/root/usr/libexec/xen-qemu-system-i386}"
if [ -x "$qemu10" ]; then
    qemu_suite "QEMU 10 ($qemu10)" "$build/qemu10-suite.out" XENVBD_QEMU="$qemu10"
elif [ "${XENVBD_REQUIRE_QEMU10:-0}" = "1" ]; then
    echo "FAIL qemu 10: $qemu10 not found (bash tests/interop/qemu/fetch-qemu10.sh fetches it), and XENVBD_REQUIRE_QEMU10=1"
    failed=$((failed + 1))
else
    echo "interop: SKIPPED qemu10: QEMU 10 not found at $qemu10: bash tests/interop/qemu/fetch-qemu10.sh (or XENVBD_QEMU10=/path)"
    skips=$((skips + 1))
    skipped="$skipped qemu10"
fi

# 5. A real, independent frontend - U-Boot's pvblock.c from Debian's source package, fetched at
#    test time and compiled unchanged against tests/interop/realfront/compat - drives the C# blkback.
. "$here/realfront/realfront.sh"

finish
