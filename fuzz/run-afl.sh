#!/usr/bin/env bash
# Coverage-guided fuzzing of one rogue-peer target with AFL++ (Debian: apt-get install afl++) and
# SharpFuzz (dotnet tool SharpFuzz.CommandLine 2.3.0). See docs/RELIABILITY.md.
#   fuzz/run-afl.sh backend 600      # target, seconds
# Publishes fuzz/XenVbd.Fuzz to fuzz/bin/<target>, instruments XenVbd.Core.dll there, seeds
# fuzz/findings/<target>/in from fuzz/corpus/<target> plus generated cases, runs afl-fuzz for the
# given time, then replays every queue entry and crash through the harness and prints the stats.
set -euo pipefail
target="${1:?target: backend or frontend}"
seconds="${2:-300}"
here="$(cd "$(dirname "$0")" && pwd)"
bin="$here/bin/$target"
work="$here/findings/$target"
sharpfuzz="${SHARPFUZZ:-$(command -v sharpfuzz || echo "$HOME/.dotnet/tools/sharpfuzz")}"

plain="$here/bin/$target-plain"
rm -rf "$bin" "$plain" "$work"
mkdir -p "$work/in"
dotnet publish "$here/XenVbd.Fuzz/XenVbd.Fuzz.csproj" -c Release -o "$plain" -nologo -v q
cp -r "$plain" "$bin"
# Instrumented code reports coverage into afl's shared memory, so it only runs under afl-fuzz;
# seeding and replay use the plain copy.
"$sharpfuzz" "$bin/XenVbd.Core.dll"

if [ -d "$here/corpus/$target" ]; then cp "$here/corpus/$target"/* "$work/in/" 2>/dev/null || true; fi
dotnet "$plain/XenVbd.Fuzz.dll" seeds "$target" "$work/in" 16

# The .NET runtime is not an afl-instrumented binary (SharpFuzz reports coverage itself), the
# runtime needs more than afl's default memory limit, and a JIT start costs more than its timeout.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
afl-fuzz -i "$work/in" -o "$work/out" -t 5000 -m none -V "$seconds" -- dotnet "$bin/XenVbd.Fuzz.dll" afl "$target" || true

stats="$work/out/default/fuzzer_stats"
if [ -f "$stats" ]; then grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|bitmap_cvg|edges_found)' "$stats"; fi
echo "replaying the queue and the crashes through the harness:"
dotnet "$plain/XenVbd.Fuzz.dll" replay "$target" "$work/out/default/queue" "$work/out/default/crashes" || true
