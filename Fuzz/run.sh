#!/bin/sh
# Fuzzes the HTTP1 parsers with libFuzzer for SECONDS (default 30); exits non-zero on a crash.
# Usage: Fuzz/run.sh [SECONDS]
set -eu
seconds="${1:-30}"
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/.build/fuzz"
mkdir -p "$out/corpus" "$out/artifacts"

swiftc -sanitize=fuzzer,address -parse-as-library -O -use-ld=lld \
    "$root"/Sources/HTTP1/*.swift "$root/Fuzz/HTTP1Fuzz.swift" -o "$out/http1-fuzz"

# Let libFuzzer, not Swift's backtracer, handle crashes, so it saves the input.
export SWIFT_BACKTRACE=enable=no
# New inputs go to the scratch corpus; the seeds in Fuzz/corpus stay as committed.
exec "$out/http1-fuzz" -max_total_time="$seconds" -print_final_stats=1 -dict="$root/Fuzz/http.dict" \
    -artifact_prefix="$out/artifacts/" "$out/corpus" "$root/Fuzz/corpus"
