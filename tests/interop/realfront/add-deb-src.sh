#!/usr/bin/env bash
# add-deb-src.sh: gives apt a deb-src entry for the Debian archive this machine already uses for
# bookworm main (the U-Boot source package the real-frontend suite compiles from comes from there),
# then refreshes the index. Nothing happens if apt already knows the u-boot source package.
# Run as root: .ci/run does; tests/interop/realfront/realfront.sh does when CI=true and it is root.
#
# The entry is derived from the machine's own `deb` entries (same mirror, same signing key), so
# it works behind whatever mirror the machine is set up with.
set -eu
if apt-cache showsrc u-boot 2>/dev/null | grep -q '^Version:'; then exit 0; fi
out=/etc/apt/sources.list.d/xenvbd-deb-src.sources
entries=$(
    {
        # deb822 stanzas: the Debian archive's bookworm main, as a deb-src stanza.
        for f in /etc/apt/sources.list.d/*.sources; do
            [ -f "$f" ] && [ "$f" != "$out" ] && awk 'BEGIN { RS = ""; ORS = "\n\n" }
                /(^|\n)Types:[^\n]*(^|[ \t])deb([ \t]|\n|$)/ && /(^|\n)Suites:[^\n]*bookworm/ && /(^|\n)Components:[^\n]*main/ && /debian-archive-keyring/ {
                    gsub(/(^|\n)Types:[^\n]*/, "\nTypes: deb-src"); sub(/^\n/, ""); print }' "$f"
        done
        # one-line entries in sources.list.
        if [ -f /etc/apt/sources.list ]; then
            awk '$1 == "deb" && / bookworm / && / main/ { $1 = ""; sub(/^ /, ""); sub(/^\[[^]]*\] */, ""); split($0, a, " ");
                 print "Types: deb-src\nURIs: " a[1] "\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n" }' /etc/apt/sources.list
        fi
    } | awk 'BEGIN { RS = ""; ORS = "\n\n" } !seen[$0]++'
)
if [ -z "$entries" ]; then
    echo "add-deb-src: no 'deb' entry for Debian bookworm main found in /etc/apt to derive a deb-src entry from" >&2
    exit 1
fi
printf '%s\n' "$entries" >"$out"
DEBIAN_FRONTEND=noninteractive apt-get update
