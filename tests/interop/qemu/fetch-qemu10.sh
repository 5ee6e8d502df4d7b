#!/usr/bin/env bash
# Fetches QEMU 10 (qemu-system-xen from Debian bookworm-backports) beside the installed 7.2, without
# installing it: a private apt configuration (its own source list and index, nothing under /etc/apt
# changes), `apt-get download`, `dpkg -x` into a cache directory. Prints the binary's path on the last
# line; exit 1 with the reason when it cannot be had. The suites run it with XENVBD_QEMU=<path>.
#
#   bash tests/interop/qemu/fetch-qemu10.sh          cache: ${XDG_CACHE_HOME:-$HOME/.cache}/xenvbd/qemu10
#   XENVBD_QEMU10_CACHE=DIR ...                      another cache directory
#
# Its libraries (libxen* 4.17, libspice-server1, libusb, libfdt1, ...) are bookworm's, the same ones the
# installed qemu-system-xen 7.2 pulls in; qemu-system-data (firmware ROMs) is not needed by -M xenpv.
set -u
suite=bookworm-backports
cache="${XENVBD_QEMU10_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xenvbd/qemu10}"
bin="$cache/root/usr/libexec/xen-qemu-system-i386"

fail() { echo "qemu10: $1"; exit 1; }

if [ -x "$bin" ] && "$bin" --version >/dev/null 2>&1; then
    echo "qemu10: cached: $("$bin" --version | head -1)"
    echo "$bin"
    exit 0
fi
command -v apt-get >/dev/null 2>&1 || fail "apt-get not found (a Debian machine is needed)"
command -v dpkg >/dev/null 2>&1 || fail "dpkg not found"

mkdir -p "$cache/lists/partial" "$cache/archives/partial" "$cache/deb" || fail "cannot create $cache"
# The machine's own mirror, from its deb entries (deb822 or one-line), else deb.debian.org.
mirror=$(grep -hoE '^URIs: *http[^ ]*debian/?$' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1 | sed 's/^URIs: *//')
[ -z "$mirror" ] && mirror=$(grep -hoE '^deb +http[^ ]*debian/? ' /etc/apt/sources.list 2>/dev/null | head -1 | awk '{print $2}')
[ -z "$mirror" ] && mirror=http://deb.debian.org/debian
echo "deb $mirror $suite main" >"$cache/sources.list"
apt_opts=(-o "Dir::Etc::SourceList=$cache/sources.list" -o "Dir::Etc::SourceParts=-" -o "Dir::State::Lists=$cache/lists"
          -o "Dir::Cache::Archives=$cache/archives" -o "Debug::NoLocking=1" -o "APT::Get::List-Cleanup=0")
echo "qemu10: apt-get update ($mirror $suite, private index in $cache)"
apt-get "${apt_opts[@]}" update >"$cache/update.log" 2>&1 || { tail -3 "$cache/update.log"; fail "apt-get update of $suite failed (is $mirror reachable?)"; }
version=$(apt-cache "${apt_opts[@]}" policy qemu-system-xen 2>/dev/null | awk '/^ +(\*\*\* )?1:1[0-9]\./ {print ($1 == "***" ? $2 : $1); exit}')
[ -n "$version" ] || fail "no qemu-system-xen 10.x in $suite (apt-cache policy qemu-system-xen lists none)"
echo "qemu10: qemu-system-xen $version from $suite"
(cd "$cache/deb" && rm -f ./*.deb && apt-get "${apt_opts[@]}" download "qemu-system-xen=$version" >"$cache/download.log" 2>&1) \
    || { tail -3 "$cache/download.log"; fail "apt-get download qemu-system-xen=$version failed"; }
rm -rf "$cache/root"
dpkg -x "$cache"/deb/qemu-system-xen_*.deb "$cache/root" || fail "dpkg -x failed"
[ -x "$bin" ] || fail "the package has no $bin"
missing=$(ldd "$bin" 2>/dev/null | awk '/not found/ {print $1}' | tr '\n' ' ')
[ -z "$missing" ] || fail "libraries not found: $missing(apt-get install qemu-system-xen brings them for 7.2; 10 needs the same)"
"$bin" --version >/dev/null 2>&1 || fail "$bin does not run"
echo "qemu10: $("$bin" --version | head -1)"
echo "$bin"
