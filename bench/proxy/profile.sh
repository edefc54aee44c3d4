#!/usr/bin/env bash
# Cost of one proxied keep-alive request, Holdfast (1 worker) beside HAProxy (nbthread 1), in
# front of the same nginx backend, counted rather than timed so a busy machine cannot move it:
# user-space instructions per request (valgrind callgrind, counters zeroed after a warm-up and
# dumped after exactly REQUESTS requests) and system calls per request (strace -c, no valgrind).
# Writes bench/results/proxy-profile.md (the part after "<!-- kept by profile.sh -->" is kept).
# Usage: bench/proxy/profile.sh   (builds nothing: run `swift build -c release --product holdfast`)
# Knobs (environment): REQUESTS (20000 per measure), CONNECTIONS ("10 100"), HOLDFAST_BINARY
#   (default .build/release/holdfast), BASELINE (another holdfast binary, measured the same way
#   beside it, for before/after figures), RESULTS (default bench/results/proxy-profile.md).
# Everything listens on 127.0.0.1; every process started here is stopped by its process group.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
binary=${HOLDFAST_BINARY:-$repo/.build/release/holdfast}
baseline=${BASELINE:-}
baseline_given=$baseline
requests=${REQUESTS:-20000}
read -r -a connection_counts <<<"${CONNECTIONS:-10 100}"
results=${RESULTS:-$repo/bench/results/proxy-profile.md}
warmup=1000

[[ -x $binary ]] || { echo "expected a release build at $binary (got none): swift build -c release --product holdfast" >&2; exit 2; }
for tool in valgrind strace haproxy nginx cc; do
    command -v "$tool" >/dev/null || { echo "expected $tool on PATH (apt-get install valgrind strace haproxy nginx-light gcc)" >&2; exit 2; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/holdfast-profile.XXXXXX")
groups=()
# shellcheck source=../lib/processes.sh
source "$repo/bench/lib/processes.sh"
bounded_run 3000

cc -O2 -Wall -Wextra -o "$work/keepaliveclient" "$repo/bench/proxy/keepaliveclient.c"
# valgrind 3.19 gives up on the DWARF 5 debug information Swift writes: the copies measured keep
# their symbols (function names) and lose only that. The worker runs the same copy as its master.
cp "$binary" "$work/holdfast"; strip --strip-debug "$work/holdfast"; binary=$work/holdfast
if [[ -n $baseline ]]; then cp "$baseline" "$work/baseline"; strip --strip-debug "$work/baseline"; baseline=$work/baseline; fi
backend_port=27100 proxy_port=27101 control_port=27102

# --- backend: nginx, one process, answering from memory (as bench/proxy/run.sh)
# shellcheck source=../lib/proxy-setup.sh
source "$repo/bench/lib/proxy-setup.sh"
write_nginx_backend_config "$work/nginx" "$backend_port" 4096
start "$work/nginx.log" nginx -e "$work/nginx/error.log" -p "$work/nginx" -c "$work/nginx/nginx.conf"
wait_listening "$backend_port"

holdfast_bench_config "$proxy_port" "$control_port" "$backend_port" 1 >"$work/holdfast.conf"
haproxy_bench_config "$proxy_port" "$backend_port" 1 32 >"$work/haproxy.cfg"

# The process that serves requests: Holdfast's worker (the master's child), HAProxy itself.
serving_pid() {  # name, group id
    local pid
    if [[ $1 == HAProxy ]]; then echo "$2"; return; fi
    for _ in $(seq 600); do
        pid=$(pgrep -P "$2" | head -1 || true)
        [[ -n $pid ]] && { echo "$pid"; return; }
        sleep 0.1
    done
    echo "expected a Holdfast worker under $2 within 60 s, got none" >&2
    exit 1
}

start_proxy() {  # name, wrapper command words...
    local name=$1; shift
    case $name in
        HAProxy) start "$work/$name.log" "$@" haproxy -db -f "$work/haproxy.cfg" ;;
        Holdfast) start "$work/$name.log" "$@" "$binary" --config "$work/holdfast.conf" --log-level warning ;;
        baseline) start "$work/$name.log" "$@" "$baseline" --config "$work/holdfast.conf" --log-level warning ;;
    esac
    proxy_group=$started
    for _ in $(seq 1200); do
        ss -Htln "( sport = :$proxy_port )" | grep -q . && break
        sleep 0.1
    done
    wait_listening "$proxy_port"
}

load() {  # connections, requests
    "$work/keepaliveclient" "$proxy_port" "$1" "$2" >/dev/null
}

# Appends "name connections instructions_per_request" to $work/ir.tsv and keeps the dump.
measure_instructions() {  # name, connections
    local name=$1 connections=$2 pid dump
    start_proxy "$name" valgrind --tool=callgrind --trace-children=yes \
        --callgrind-out-file="$work/callgrind.$name.$connections.%p"
    pid=$(serving_pid "$name" "$proxy_group")
    load "$connections" "$warmup"
    callgrind_control -z "$pid" >/dev/null
    load "$connections" "$requests"
    callgrind_control -d "$pid" >/dev/null
    dump=$(ls -t "$work/callgrind.$name.$connections.$pid".* | head -1)
    cp "$dump" "$work/dump.$name.$connections"
    stop_group "$proxy_group"
    awk -v n="$name" -v c="$connections" -v k="$requests" \
        '/^summary:/ { printf "%s\t%s\t%.0f\n", n, c, $2 / k }' "$work/dump.$name.$connections" >>"$work/ir.tsv"
}

# Appends "name connections syscall calls_per_request" lines to $work/syscalls.tsv.
measure_syscalls() {  # name, connections
    local name=$1 connections=$2 pid tracer
    start_proxy "$name"
    pid=$(serving_pid "$name" "$proxy_group")
    load "$connections" "$warmup"
    strace -c -f -o "$work/strace.$name.$connections" -p "$pid" 2>/dev/null &
    tracer=$!
    sleep 1   # attached before the load starts
    load "$connections" "$requests"
    kill -INT "$tracer"
    wait "$tracer" || true
    stop_group "$proxy_group"
    awk -v n="$name" -v c="$connections" -v k="$requests" \
        '$NF ~ /^[a-z_0-9]+$/ && $1 ~ /^[0-9.]+$/ && $NF != "total" { printf "%s\t%s\t%s\t%.2f\n", n, c, $NF, $4 / k }' \
        "$work/strace.$name.$connections" >>"$work/syscalls.tsv"
}

proxies=(Holdfast ${baseline:+baseline} HAProxy)
: >"$work/ir.tsv"; : >"$work/syscalls.tsv"
for connections in "${connection_counts[@]}"; do
    for name in "${proxies[@]}"; do
        echo "$name, $connections connections: instructions" >&2
        measure_instructions "$name" "$connections"
        echo "$name, $connections connections: system calls" >&2
        measure_syscalls "$name" "$connections"
    done
done

instructions() { awk -F'\t' -v n="$1" -v c="$2" '$1 == n && $2 == c { print $3 }' "$work/ir.tsv"; }
syscalls_total() { awk -F'\t' -v n="$1" -v c="$2" '$1 == n && $2 == c { s += $4 } END { printf "%.2f", s }' "$work/syscalls.tsv"; }
syscalls_list() {
    awk -F'\t' -v n="$1" -v c="$2" '$1 == n && $2 == c && $4 >= 0.01 { printf "%s%s %s", sep, $3, $4; sep = ", " }' "$work/syscalls.tsv"
}
# The functions costing most, self and inclusive, in instructions per request. The listing is
# read to its end: a reader stopping early would fail the script (pipefail).
top_functions() {  # dump, --inclusive=yes|no
    callgrind_annotate "$2" --threshold=100 --show-percs=no "$1" 2>/dev/null \
        | awk -v k="$requests" '/PROGRAM TOTALS/ { total = $1; gsub(",", "", total); total += 0 }
            # The loop and the frames that were on the stack when the counters were zeroed show
            # (nearly) the whole total: left out.
            found && NF >= 2 && $1 ~ /^[0-9,]+$/ {
              n = $1; gsub(",", "", n); n += 0; $1 = ""
              if (n < 0.98 * total && shown++ < 25) printf "%8.0f %s\n", n / k, substr($0, 2) }
            /^Ir +file:function/ { found = 1 }' \
        | /opt/swift/usr/bin/swift-demangle --simplified | cut -c1-170
}

mkdir -p "$(dirname "$results")"
kept=""
[[ -f $results ]] && kept=$(sed -n '/^<!-- kept by profile.sh -->$/,$p' "$results")
{
    echo "# Cost of one proxied keep-alive request: Holdfast beside HAProxy, counted"
    echo
    echo "Generated by \`bench/proxy/profile.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$repo" rev-parse --short HEAD)."
    echo
    echo "- Machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), $(uname -sr);"
    echo "  $(haproxy -v | head -1 | cut -d' ' -f1-3), $(nginx -v 2>&1 | sed 's/.*: //'), $(valgrind --version), $(strace -V | head -1)."
    echo "- Backend: nginx, one process, \`return 200 \"hello\\n\"\`, keep-alive (as \`bench/proxy/run.sh\`)."
    echo "- Holdfast: \`workers = 1\`, backend \`max_connections = 32\`; the worker process is measured."
    echo "  HAProxy: \`nbthread 1\`, \`http-reuse always\`, server \`maxconn 32\`."
    echo "- Client: \`bench/proxy/keepaliveclient.c\`, wrk's request (\`GET / HTTP/1.1\`, \`Host\`), one"
    echo "  outstanding per connection; $warmup requests of warm-up, then exactly $requests counted."
    echo "- Instructions: \`valgrind --tool=callgrind --trace-children=yes\`, \`callgrind_control -z\` after the"
    echo "  warm-up, \`-d\` after the counted requests: user-space instructions (Ir) of the serving process,"
    echo "  libevent, libc and the Swift runtime included, divided by $requests. Kernel work is not in it:"
    echo "  that is what the system calls column counts."
    echo "- System calls: \`strace -c -f -p PID\` on the serving process (no valgrind), over $requests requests."
    echo "- Exact command: \`REQUESTS=$requests CONNECTIONS=\"${connection_counts[*]}\" ${baseline:+BASELINE=$baseline_given }bench/proxy/profile.sh\`"
    [[ -n $baseline ]] && echo "- baseline: \`$baseline_given\`, the same configuration, measured in the same run."
    echo
    echo "Counts do not depend on the machine's load, with one exception: how many events one"
    echo "\`epoll_wait\` returns depends on timing (under valgrind a proxy is slower, so it finds more"
    echo "ready at each wake-up), which moves the per-wake-up share of the cost a little."
    echo
    echo "| connections | proxy | instructions per request | Holdfast / HAProxy | system calls per request | of which |"
    echo "|---|---|---|---|---|---|"
    for connections in "${connection_counts[@]}"; do
        haproxy_ir=$(instructions HAProxy "$connections")
        for name in "${proxies[@]}"; do
            ir=$(instructions "$name" "$connections")
            ratio=$(awk -v a="$ir" -v b="$haproxy_ir" 'BEGIN { printf "%.2f", a / b }')
            echo "| $connections | $name | **$ir** | ${ratio}× | $(syscalls_total "$name" "$connections") | $(syscalls_list "$name" "$connections") |"
        done
    done
    last=${connection_counts[-1]}
    for name in Holdfast HAProxy; do
        echo
        echo "### $name at $last connections: functions by instructions per request"
        echo
        echo "Self (the function's own instructions):"
        echo
        echo '```'
        top_functions "$work/dump.$name.$last" --inclusive=no
        echo '```'
        echo
        echo "Inclusive (with everything it calls):"
        echo
        echo '```'
        top_functions "$work/dump.$name.$last" --inclusive=yes
        echo '```'
    done
    if [[ -n $kept ]]; then echo; echo "$kept"; fi
} >"$results.tmp"
mv "$results.tmp" "$results"
echo "wrote $results" >&2
"$repo/bench/report.sh"
