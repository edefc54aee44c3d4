#!/bin/sh
# Fuzzes with libFuzzer for SECONDS (default 30) split among the first three targets, plus a third
# of SECONDS for the fourth; exits non-zero on a crash.
#   request   RequestFuzz.swift: request heads and chunked bodies (HTTP1); half of SECONDS
#   response  ResponseFuzz.swift: backend bytes through response heads and body framing, relayed (HTTP1); 3/10
#   publish   PublishFuzz.swift: publish JSON bodies and master → worker frames (GRIP); the rest
#   frame     FrameFuzz.swift: client WebSocket frames, handshakes and websocket-events bodies (WebSocket); a third of SECONDS more
# Usage: Fuzz/run.sh [SECONDS]
set -eu
seconds="${1:-30}"
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/.build/fuzz"
mkdir -p "$out/artifacts"

# TARGET SOURCE MODULE-FILES...
build() {
    target="$1" source="$2"
    shift 2
    swiftc -sanitize=fuzzer,address -parse-as-library -O -use-ld=lld \
        "$@" "$root/Fuzz/FuzzCheck.swift" "$root/Fuzz/$source" -o "$out/$target-fuzz"
}
build request RequestFuzz.swift "$root"/Sources/HTTP1/*.swift
build response ResponseFuzz.swift "$root"/Sources/HTTP1/*.swift
# GRIP and WebSocket import Wire (the byte codec): built first as a module of its own, instrumented too.
mkdir -p "$out/wire"
swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name Wire -emit-module -emit-module-path "$out/wire/Wire.swiftmodule" \
    -emit-library -static -o "$out/wire/libWire.a" "$root"/Sources/Wire/*.swift
# TARGET SOURCE MODULE EXCLUDED: a module on Wire, without its one file that needs swift-crypto
# (which nothing fuzzed here uses).
build_on_wire() {
    target="$1" source="$2" module="$3" excluded="$4"
    set -- -I "$out/wire" -L "$out/wire" -lWire
    for file in "$root/Sources/$module"/*.swift; do
        [ "$(basename "$file")" = "$excluded" ] || set -- "$@" "$file"
    done
    build "$target" "$source" "$@"
}
build_on_wire publish PublishFuzz.swift GRIP GripSigner.swift
build_on_wire frame FrameFuzz.swift WebSocket AcceptKey.swift

# Let libFuzzer, not Swift's backtracer, handle crashes, so it saves the input.
export SWIFT_BACKTRACE=enable=no

# TARGET SECONDS DICTIONARY: new inputs go to the scratch corpus; the seeds in Fuzz/corpus/TARGET stay as committed.
run() {
    mkdir -p "$out/corpus/$1"
    echo "== $1: ${2}s"
    "$out/$1-fuzz" -max_total_time="$2" -print_final_stats=1 -dict="$root/Fuzz/$3" \
        -artifact_prefix="$out/artifacts/$1-" "$out/corpus/$1" "$root/Fuzz/corpus/$1"
}
at_least_1() { echo $(($1 > 0 ? $1 : 1)); }
request_seconds=$(at_least_1 $((seconds / 2)))
response_seconds=$(at_least_1 $((seconds * 3 / 10)))
publish_seconds=$(at_least_1 $((seconds - request_seconds - response_seconds)))
run request "$request_seconds" http.dict
run response "$response_seconds" http.dict
run publish "$publish_seconds" publish.dict
run frame "$(at_least_1 $((seconds / 3)))" websocket.dict
