# realfront.sh - sourced by tests/interop/run.sh (uses its $here, $build, $cflags, missing, tally):
# a real, independent blkif frontend - U-Boot 2023.01's drivers/xen/pvblock.c from Debian's u-boot
# source package, compiled unchanged against the compat layer in tests/interop/realfront/compat -
# drives the C# blkback (RealFrontBack) through the shared-memory file, -m64 and -m32, with
# blkback in Protocol mode (Linux: the layout from the protocol key) and Native mode (its own
# layout, the frontend's bitness), then against QEMU's xen-disk through the Xen stand-in. See
# docs/INTEROP.md, "Real frontends".
#
# Missing prerequisites are counted skips that say what to install (failures with
# XENVBD_REQUIRE_INTEROP=1). Every peer runs under `timeout`; the backend, started in the
# background, is stopped by its pid if the suite is interrupted.

rf_dir="$here/realfront"
rf_cache="$build/cache"
rf_timeout=20000
rf_bpid=""

rf_stop_backend() {
    if [ -n "$rf_bpid" ]; then kill "$rf_bpid" 2>/dev/null; wait "$rf_bpid" 2>/dev/null; rf_bpid=""; fi
}

# rf_pair <abi> <plan> <backend-mode> <rw|ro> <logical-sector-size> [show]: one frontend run
# against one blkback; with `show`, what the frontend did (the OBSERVED lines) is printed too (all
# runs keep them in build/).
rf_pair() {
    local abi=$1 plan=$2 mode=$3 access=$4 sector=$5 show=${6:-} base fs bs
    base="$build/realfront-$abi-$plan-$mode"
    rm -f "$base.shm"
    : >"$base.img" && truncate -s 8M "$base.img"
    timeout 90 "${rf_back[@]}" "$base.shm" "$base.img" "$mode" "$access" "$abi-abi" "$rf_timeout" "$sector" >"$base-back.out" 2>&1 &
    rf_bpid=$!
    timeout 90 "${rf_run[@]}" "$rf_exe" "$base.shm" "$base.img" "$plan" "$rf_timeout" >"$base-front.out" 2>&1; fs=$?
    wait "$rf_bpid"; bs=$?
    rf_bpid=""
    tally "realfront: U-Boot pvblock $abi $plan <-> C# blkback ($mode) (frontend side)" $fs "$base-front.out"
    tally "realfront: U-Boot pvblock $abi $plan <-> C# blkback ($mode) (backend side)" $bs "$base-back.out"
    if [ -n "$show" ]; then grep -h '^OBSERVED' "$base-front.out" "$base-back.out" | sed 's/^OBSERVED /  observed: /'; fi
}

rf_main() {
    echo "interop: real frontend: U-Boot pvblock.c against the C# blkback"
    if [ "${CI:-}" = "true" ] && [ "$(id -u)" = 0 ] && ! apt-cache showsrc u-boot 2>/dev/null | grep -q '^Version:'; then
        bash "$rf_dir/add-deb-src.sh" >"$build/realfront-deb-src.log" 2>&1 || tail -3 "$build/realfront-deb-src.log"
    fi
    local out st
    out=$(bash "$rf_dir/fetch-uboot.sh" "$rf_cache" 2>&1); st=$?
    if [ $st -eq 3 ]; then
        missing "real frontend (U-Boot source package): $(printf '%s' "$out" | head -1)" "realfront"
        return
    elif [ $st -ne 0 ]; then
        printf '%s\n' "$out"
        echo "FAIL realfront: fetching the U-Boot source failed"
        failed=$((failed + 1))
        return
    fi
    local src="$rf_cache/u-boot/src"
    echo "interop: real frontend from $(head -1 "$rf_cache/u-boot/VERSION"), drivers/xen/pvblock.c sha256 $(awk 'NR == 3 { print substr($1, 1, 16) }' "$rf_cache/u-boot/VERSION")..."

    echo "interop: building tests/interop/realfront/RealFrontBack"
    if ! dotnet build "$rf_dir/RealFrontBack/RealFrontBack.csproj" -c Release -nologo -v quiet >"$build/realfrontback-build.log" 2>&1; then
        cat "$build/realfrontback-build.log"
        echo "FAIL realfront: RealFrontBack did not build"
        failed=$((failed + 1))
        return
    fi
    rf_back=(dotnet "$rf_dir/RealFrontBack/bin/Release/net10.0/RealFrontBack.dll")

    trap 'rf_stop_backend' EXIT
    trap 'rf_stop_backend; exit 130' INT TERM
    local bits abi obj log f
    # Only the bitnesses run.sh's probe could build and run (it already counted a skip for the others).
    for bits in $abis; do
        abi="x86_$bits"
        obj="$build/realfront-m$bits"
        log="$build/gcc-realfront-m$bits.log"
        rf_exe="$obj/realfront"
        mkdir -p "$obj" && : >"$log"
        # The compat layer: ours, so warnings are errors. xen_guest.c is built with Xen's own headers
        # (the hypervisor's view), the rest with U-Boot's include/xen (the guest's view).
        local ok=1
        gcc -m"$bits" "${cflags[@]}" -c "$rf_dir/compat/xen_guest.c" -o "$obj/xen_guest.o" 2>>"$log" || ok=0
        for f in compat/uboot_services compat/uboot_dm realfront; do
            gcc -m"$bits" -std=gnu11 -Wall -Wextra -Werror -O2 -fno-strict-aliasing -I"$rf_dir/compat/include" -I"$src/include" \
                -c "$rf_dir/$f.c" -o "$obj/$(basename "$f").o" 2>>"$log" || ok=0
        done
        # U-Boot's file, unchanged, with the warnings U-Boot itself enables (reported, not fatal: not our code).
        gcc -m"$bits" -std=gnu11 -O2 -Wall -Wstrict-prototypes -Wno-format-security -fno-strict-aliasing \
            -I"$rf_dir/compat/include" -I"$src/include" -c "$src/drivers/xen/pvblock.c" -o "$obj/pvblock.o" 2>>"$log" || ok=0
        [ $ok = 1 ] && { gcc -m"$bits" -o "$rf_exe" "$obj"/*.o 2>>"$log" || ok=0; }
        if [ $ok = 0 ]; then
            if [ "$bits" = 32 ] && grep -q 'gnu/stubs-32.h\|cannot find -lgcc\|skipping incompatible' "$log"; then
                missing "gcc -m32 cannot build the real frontend: install gcc-multilib" "realfront-$abi"
                continue
            fi
            cat "$log"
            echo "FAIL realfront $abi: U-Boot's pvblock.c and the compat layer did not compile"
            failed=$((failed + 1))
            continue
        fi
        if grep -q 'warning' "$log"; then echo "interop: pvblock.c compiled -m$bits with warnings (see $log)"; fi
        rf_run=()
        "$rf_exe" >/dev/null 2>&1
        if [ $? -ne 2 ]; then
            if [ "$bits" = 32 ] && command -v qemu-i386 >/dev/null 2>&1 && { qemu-i386 "$rf_exe" >/dev/null 2>&1; [ $? -eq 2 ]; }; then
                rf_run=(qemu-i386)
            else
                missing "cannot execute the -m$bits real frontend here (no ia32 emulation in the kernel?): install qemu-user" "realfront-$abi"
                continue
            fi
        fi
        echo "interop: real frontend $abi${rf_run:+ (via ${rf_run[*]})}"
        rf_pair "$abi" io protocol rw 512 show
        rf_pair "$abi" io native rw 512
        rf_pair "$abi" readonly protocol ro 512 show
        rf_pair "$abi" 4k protocol rw 4096
        rf_pair "$abi" bug protocol rw 512
    done
    trap - EXIT INT TERM
    rf_qemu
}

# The same frontend against QEMU's xen-disk under the Xen stand-in (XenVbd.PowerShell/native/xen-standin): two
# independent implementations, no code of this project's on the ring - the check that the stand-in
# is faithful enough for a real frontend, not only for the C# one.
rf_qemu() {
    local qemu="${XENVBD_QEMU:-/usr/libexec/xen-qemu-system-i386}" standin="$build/realfront-standin.so" bits
    echo "interop: real frontend: U-Boot pvblock.c against QEMU's xen-disk (through the Xen stand-in)"
    if [ ! -x "$qemu" ]; then
        missing "real frontend vs QEMU: $qemu not found: apt-get install qemu-system-xen" "realfront-qemu"
        return
    fi
    if [ ! -f /usr/include/xenstore.h ] || [ ! -f /usr/include/xengnttab.h ] || [ ! -f /usr/include/xenevtchn.h ]; then
        missing "real frontend vs QEMU: Xen's library headers not found: apt-get install libxen-dev" "realfront-qemu"
        return
    fi
    if ! gcc -shared -fPIC -fvisibility=hidden "${cflags[@]}" -I"$here/shm" -o "$standin" "$here/../../XenVbd.PowerShell/native/xen-standin/xen-standin.c" -lpthread >"$build/realfront-standin.log" 2>&1; then
        cat "$build/realfront-standin.log"
        echo "FAIL realfront: the Xen stand-in did not compile"
        failed=$((failed + 1))
        return
    fi
    echo "interop: $("$qemu" --version 2>/dev/null | head -1) (qemu-system-xen $(dpkg-query -W -f '${Version}' qemu-system-xen 2>/dev/null || echo '?'))"
    trap 'rf_stop_backend' EXIT
    trap 'rf_stop_backend; exit 130' INT TERM
    for bits in 64 32; do
        [ -x "$build/realfront-m$bits/realfront" ] || continue
        rf_exe="$build/realfront-m$bits/realfront"
        rf_run=()
        "$rf_exe" >/dev/null 2>&1
        [ $? -eq 2 ] || rf_run=(qemu-i386)
        rf_pair_qemu "x86_$bits" io ""
        rf_pair_qemu "x86_$bits" readonly ",readonly=on"
    done
    trap - EXIT INT TERM
}

# rf_pair_qemu <abi> <plan> <drive-options>: QEMU serves the file the frontend's guest creates.
rf_pair_qemu() {
    local abi=$1 plan=$2 drive=$3 base fs
    base="$build/realfront-$abi-$plan-qemu"
    rm -f "$base.shm"
    : >"$base.img" && truncate -s 8M "$base.img"
    env XENVBD_SHM="$base.shm" XENVBD_SHM_WAIT_MS=30000 LD_PRELOAD="$standin" \
        timeout -k 5 90 "$qemu" -M xenpv -xen-domid 1 -xen-attach -nographic -display none -monitor none \
        -serial none -parallel none -nodefaults -drive "if=none,id=d0,file=$base.img,format=raw,cache=writeback$drive" \
        -device xen-disk,vdev=xvda,drive=d0 >"$base-qemu.out" 2>&1 &
    rf_bpid=$!
    timeout 90 "${rf_run[@]}" "$rf_exe" "$base.shm" "$base.img" "$plan" "$rf_timeout" >"$base-front.out" 2>&1; fs=$?
    # QEMU serves until it is told to stop: by its pid, as a toolstack would.
    rf_stop_backend
    tally "realfront: U-Boot pvblock $abi $plan <-> QEMU xen-disk" $fs "$base-front.out"
    grep -h '^OBSERVED.*backend directory\|^Failed to read' "$base-front.out" | sed 's/^OBSERVED /  observed: /; s/^Failed/  observed: U-Boot printed: Failed/'
    if grep -q "xen-standin: fatal\|not modelled" "$base-qemu.out"; then
        grep -h "xen-standin: fatal\|not modelled" "$base-qemu.out" | sed 's/^/  /'
        echo "  FAIL realfront: $abi $plan: the stand-in was asked for something it does not model (see $base-qemu.out)"
        failed=$((failed + 1))
    fi
}

rf_main
