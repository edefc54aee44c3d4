#!/bin/sh
# Builds the hashing benchmark in release mode from the selector's own sources and runs it.
# Usage: bench/hashing/run.sh  (from the repository root)
set -eu
out="${TMPDIR:-/tmp}/holdfast-hashing-bench"
swiftc -O -module-name HashingBench \
    Sources/Proxy/Routing/StableHash.swift \
    Sources/Proxy/Routing/BackendSelector.swift \
    bench/hashing/main.swift -o "$out"
"$out"
