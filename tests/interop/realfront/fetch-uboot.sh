#!/usr/bin/env bash
# fetch-uboot.sh <cache-dir>: brings U-Boot's real Xen block frontend (drivers/xen/pvblock.c) and
# the headers it is built with (include/xen/**) out of Debian bookworm's `u-boot` source package
# into <cache-dir>/u-boot, once; later runs reuse it. Nothing of it is kept in the repository.
#
#   exit 0   <cache-dir>/u-boot/src holds the files; <cache-dir>/u-boot/VERSION names the package
#   exit 3   a prerequisite is missing: the first line of stdout says which and how to get it
#   exit 1   anything else went wrong (the output says what)
#
# The source comes through apt's own client (`apt-get source --download-only`), which checks the
# files against the archive's signed index. Only the files the frontend needs are unpacked from the
# upstream tarball; a Debian patch that touches one of them is applied, so the file compiled is the
# one Debian ships.
set -u
cache=${1:?usage: fetch-uboot.sh <cache-dir>}
dest="$cache/u-boot"
want_upstream="2023.01"
# What the frontend is compiled from, relative to the source tree.
members=("drivers/xen/pvblock.c" "include/xen/")

if [ -f "$dest/VERSION" ] && [ -f "$dest/src/drivers/xen/pvblock.c" ]; then
    exit 0
fi

src_entry_hint="add a deb-src entry for Debian bookworm main and refresh apt's index: sudo bash tests/interop/realfront/add-deb-src.sh (it derives the entry from this machine's own deb entries, then runs apt-get update)"

if ! command -v apt-get >/dev/null 2>&1; then
    echo "apt-get not found: the U-Boot source comes from Debian's u-boot source package (a Debian 12 machine is needed)"
    exit 3
fi
for tool in tar xz; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "$tool not found: install it (sudo apt-get install -y $tool${tool/xz/-utils})"
        exit 3
    fi
done
version=$(apt-cache showsrc u-boot 2>/dev/null | awk '/^Version:/ { print $2 }' | sort -V | tail -1)
if [ -z "$version" ]; then
    echo "no source package u-boot is known to apt: $src_entry_hint"
    exit 3
fi
case "$version" in
    "$want_upstream"*) ;;
    *) echo "apt offers u-boot $version, not $want_upstream: the compat layer is written for U-Boot $want_upstream (bookworm)"; exit 3 ;;
esac

work="$cache/u-boot.download"
rm -rf "$work" && mkdir -p "$work"
if ! (cd "$work" && apt-get source --download-only "u-boot=$version") >"$work/apt.log" 2>&1; then
    echo "apt-get source u-boot=$version failed (no network to the Debian archive?): $(grep -m1 -E '^(E|W):' "$work/apt.log")"
    tail -3 "$work/apt.log"
    exit 3
fi
orig=$(ls "$work"/u-boot_*.orig.tar.* 2>/dev/null | head -1)
debian=$(ls "$work"/u-boot_*.debian.tar.* 2>/dev/null | head -1)
if [ -z "$orig" ] || [ -z "$debian" ]; then
    echo "apt-get source left no orig/debian tarball in $work"; ls "$work"; exit 1
fi

rm -rf "$dest.new" && mkdir -p "$dest.new/src"
top=$(tar -tf "$orig" | head -1 | cut -d/ -f1)
patterns=()
for m in "${members[@]}"; do patterns+=("$top/$m"); done
if ! tar -xf "$orig" -C "$dest.new/src" --strip-components=1 "${patterns[@]}"; then
    echo "could not unpack ${members[*]} from $orig"; exit 1
fi

# Debian's patches that touch an unpacked file are applied (none did for 2023.01+dfsg-2+deb12u3).
mkdir -p "$work/debian" && tar -xf "$debian" -C "$work/debian"
applied=()
if [ -f "$work/debian/debian/patches/series" ]; then
    while read -r p _; do
        case "$p" in ''|'#'*) continue ;; esac
        f="$work/debian/debian/patches/$p"
        touched=$(grep -E '^\+\+\+ ' "$f" | awk '{ print $2 }' | cut -d/ -f2-)
        for t in $touched; do
            if [ -e "$dest.new/src/$t" ]; then
                if ! command -v patch >/dev/null 2>&1; then echo "patch not found: Debian patch $p touches $t; install patch (sudo apt-get install -y patch)"; exit 3; fi
                if ! patch -s -p1 -d "$dest.new/src" <"$f"; then echo "Debian patch $p does not apply"; exit 1; fi
                applied+=("$p")
                break
            fi
        done
    done <"$work/debian/debian/patches/series"
fi
{
    echo "u-boot $version"
    echo "debian patches applied to these files: ${applied[*]:-none}"
    (cd "$dest.new/src" && sha256sum drivers/xen/pvblock.c)
} >"$dest.new/VERSION"
rm -rf "$dest" && mv "$dest.new" "$dest" && rm -rf "$work"
exit 0
