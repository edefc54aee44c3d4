#!/usr/bin/env bash
# Proxied-request benchmark: Holdfast (2 workers) against HAProxy (nbthread 2) in front of the
# same nginx backend, then memory per idle keep-alive client connection, then a CPU profile of
# the Holdfast workers. Writes bench/results/proxy.md.
# Usage: bench/proxy/run.sh   (from anywhere; builds nothing: run
#        `swift build -c release --product holdfast` first)
# Knobs (environment): DURATION (wrk seconds, 15), ROUNDS (2), IDLE (idle connections, 15000),
#                      SKIP_PROFILE (1 to skip the perf profile), BASELINE (another holdfast
#                      binary, measured as "baseline" in the same rounds, for before/after
#                      comparisons; results then go to bench/results/proxy-baseline.md),
#                      HOLDFAST_BINARY (default .build/release/holdfast).
# Everything listens on 127.0.0.1; every process started here is stopped by PID on exit.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
binary=${HOLDFAST_BINARY:-$repo/.build/release/holdfast}
results="$repo/bench/results/proxy.md"
baseline=${BASELINE:-}
[[ -n $baseline ]] && results="$repo/bench/results/proxy-baseline.md"
duration=${DURATION:-15}
rounds=${ROUNDS:-2}
idle_total=${IDLE:-15000}
connection_counts=(100 1000)
idle_per_client=5000   # connections per client process: well under the per-process fd limit

[[ -x "$binary" ]] || { echo "expected a release build at $binary (got none): swift build -c release --product holdfast" >&2; exit 2; }

for tool in haproxy nginx wrk cc; do
    command -v "$tool" >/dev/null || { apt-get update -qq && apt-get install -y -qq haproxy nginx-light wrk gcc; break; }
done

ulimit -n "$(ulimit -Hn)"
work=$(mktemp -d /tmp/holdfast-bench-proxy.XXXXXX)
started=()

cleanup() {
    local pid
    for pid in "${started[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${started[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The whole run is bounded: the watchdog ends this script, whose trap then stops the rest.
( trap 'kill $nap 2>/dev/null; exit 0' TERM
  sleep 1500 & nap=$!; wait $nap
  echo "run.sh: over 25 minutes, giving up" >&2; kill -TERM $$ ) &
started+=($!)

# A port nobody listens on, below the ephemeral range so client connections never take it.
next_port=27000
free_port() {  # variable name
    while ss -Htan "sport = :$next_port" | grep -q .; do next_port=$((next_port + 1)); done
    printf -v "$1" '%s' "$next_port"
    next_port=$((next_port + 1))
}

# Waits (at most 30 s) until GET / on the port answers 200.
await_ok() {
    local port=$1 name=$2
    for _ in $(seq 300); do
        [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/" || true) == 200 ]] && return 0
        sleep 0.1
    done
    echo "expected $name to answer 200 on 127.0.0.1:$port within 30 s (got no 200)" >&2
    exit 1
}

free_port backend_port; free_port holdfast_port; free_port control_port; free_port haproxy_port
free_port baseline_port; free_port baseline_control_port

# --- backend: nginx, one process, answering from memory
# shellcheck source=../lib/proxy-setup.sh
source "$repo/bench/lib/proxy-setup.sh"
write_nginx_backend_config "$work/nginx" "$backend_port" 20000
nginx -e "$work/nginx/error.log" -p "$work/nginx" -c "$work/nginx/nginx.conf" &
started+=($!)
await_ok "$backend_port" nginx

# --- Holdfast: 2 workers, one backend, idle clients kept for an hour
holdfast_bench_config "$holdfast_port" "$control_port" "$backend_port" 2 >"$work/holdfast.conf"
"$binary" --config "$work/holdfast.conf" >"$work/holdfast.log" 2>&1 &
holdfast_pid=$!
started+=("$holdfast_pid")
await_ok "$holdfast_port" Holdfast
if [[ -n $baseline ]]; then
    holdfast_bench_config "$baseline_port" "$baseline_control_port" "$backend_port" 2 >"$work/baseline.conf"
    "$baseline" --config "$work/baseline.conf" >"$work/baseline.log" 2>&1 &
    baseline_pid=$!
    started+=("$baseline_pid")
    await_ok "$baseline_port" "baseline Holdfast"
fi

# --- HAProxy: 2 threads, the same bound on backend connections as the two workers' pools
haproxy_bench_config "$haproxy_port" "$backend_port" 2 64 >"$work/haproxy.cfg"
haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
haproxy_pid=$!
started+=("$haproxy_pid")
await_ok "$haproxy_port" HAProxy

# Holdfast is the master and its worker children; HAProxy is one process.
holdfast_pids() { echo "$holdfast_pid" $(ps -o pid= --ppid "$holdfast_pid"); }
baseline_pids() { echo "$baseline_pid" $(ps -o pid= --ppid "$baseline_pid"); }
haproxy_pids() { echo "$haproxy_pid"; }

# Sums over the processes, in kB: "rss private". Private (clean + dirty) is what the processes
# alone hold; Pss would move with every other process mapping the same Swift libraries.
memory_kb() {
    awk '/^Rss:/ { rss += $2 } /^Private_(Clean|Dirty):/ { private += $2 }
         END { print rss + 0, private + 0 }' $(printf '/proc/%s/smaps_rollup ' "$@")
}

# --- idle keep-alive connections: memory before and after opening them
cc -O2 -o "$work/idleconns" "$repo/bench/proxy/idleconns.c"

# Sets idle_result to (rss_before private_before rss_after private_after established closed_by_peer
# open_fds_per_process), open fds taken with all connections open.
measure_idle() {
    local port=$1 pids_of=$2 clients=() inputs=() i left=$idle_total n before after established closed=0
    curl -s -o /dev/null "http://127.0.0.1:$port/"   # first request warms the pool
    sleep 1
    before=$(memory_kb $($pids_of))
    for ((i = 0; left > 0; i++)); do
        n=$((left < idle_per_client ? left : idle_per_client))
        left=$((left - n))
        mkfifo "$work/in.$port.$i"
        "$work/idleconns" "$port" "$n" "127.0.0.$((i + 2))" <"$work/in.$port.$i" >"$work/out.$port.$i" &
        clients+=($!); started+=($!)
        exec {fd}>"$work/in.$port.$i"
        inputs+=("$fd")
    done
    for ((i = 0; i < ${#clients[@]}; i++)); do
        for _ in $(seq 1500); do grep -q '^ready\|^failed' "$work/out.$port.$i" && break; sleep 0.1; done
        grep -q '^ready' "$work/out.$port.$i" || { echo "idle client $i on port $port: expected ready (got: $(cat "$work/out.$port.$i"))" >&2; exit 1; }
    done
    sleep 2
    after=$(memory_kb $($pids_of))
    established=$(ss -Htn state established "dport = :$port" | wc -l)
    local fds=() pid
    for pid in $($pids_of); do fds+=("$(ls "/proc/$pid/fd" | wc -l)"); done
    for fd in "${inputs[@]}"; do echo done >&"$fd"; exec {fd}>&-; done
    for ((i = 0; i < ${#clients[@]}; i++)); do
        wait "${clients[$i]}" || true
        closed=$((closed + $(awk '/^closed-by-peer/ {print $2}' "$work/out.$port.$i")))
    done
    idle_result=($before $after $established $closed "$(IFS=/; echo "${fds[*]}")")
}

echo "idle connections: Holdfast" >&2
measure_idle "$holdfast_port" holdfast_pids
holdfast_idle=("${idle_result[@]}")
sleep 3   # closed connections leave the proxy before the next measure
if [[ -n $baseline ]]; then
    echo "idle connections: baseline" >&2
    measure_idle "$baseline_port" baseline_pids
    baseline_idle=("${idle_result[@]}")
    sleep 3
fi
echo "idle connections: HAProxy" >&2
measure_idle "$haproxy_port" haproxy_pids
haproxy_idle=("${idle_result[@]}")

# --- throughput: wrk against each, alternating, same settings
# Appends "name connections round requests_per_s p50_ms p99_ms errors" to $work/wrk.tsv.
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /[0-9]s$/ && v !~ /ms$/) n *= 1000; else if (v ~ /m$/) n *= 60000; printf "%.3f", n }'; }
run_wrk() {
    local name=$1 port=$2 connections=$3 round=$4 out="$work/wrk.$1.$3.$4"
    echo "wrk $name -c$connections round $round" >&2
    timeout $((duration + 30)) wrk -t2 -c"$connections" -d"${duration}s" --latency "http://127.0.0.1:$port/" >"$out"
    local rps p50 p99 errors
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
    p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")")
    p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")
    errors=$(awk '/Non-2xx|Socket errors/ {printf "%s ", $0}' "$out")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$connections" "$round" "$rps" "$p50" "$p99" "${errors:--}" >>"$work/wrk.tsv"
}

for connections in "${connection_counts[@]}"; do
    run_wrk nginx "$backend_port" "$connections" 1
    for round in $(seq "$rounds"); do
        run_wrk Holdfast "$holdfast_port" "$connections" "$round"
        [[ -n $baseline ]] && run_wrk baseline "$baseline_port" "$connections" "$round"
        run_wrk HAProxy "$haproxy_port" "$connections" "$round"
    done
done

# --- profile: where the Holdfast workers spend their CPU under the -c100 load
profile_dso="" profile_symbols="" profile_inclusive=""
if [[ ${SKIP_PROFILE:-0} != 1 ]] && perf record -e cpu-clock -o "$work/probe.data" -- true >/dev/null 2>&1; then
    echo "perf profile of the Holdfast workers" >&2
    workers=$(ps -o pid= --ppid "$holdfast_pid" | tr -s ' \n' ',' | sed 's/^,//; s/,$//')
    timeout $((duration + 30)) wrk -t2 -c100 -d"$((duration - 2))s" "http://127.0.0.1:$holdfast_port/" >/dev/null &
    load=$!; started+=("$load")
    sleep 1
    timeout $((duration + 10)) perf record -q -e cpu-clock -F 2000 -g -p "$workers" -o "$work/perf.data" -- sleep $((duration - 4)) >/dev/null 2>&1 || true
    wait "$load" || true
    # head closing a pipe early is no failure
    report() { perf report -q -i "$work/perf.data" --stdio -g none "$@" 2>/dev/null | grep -v '^$' \
        | /opt/swift/usr/bin/swift-demangle --simplified | sed 's/[ -]*$//' | cut -c1-160; }
    profile_dso=$(report --no-children --sort dso | head -12 || true)
    profile_symbols=$(report --no-children --sort dso,symbol | head -30 || true)
    profile_inclusive=$(report --children --sort dso,symbol | grep -v kernel | head -40 || true)
fi

# --- results
summary() {  # name connections -> "mean_rps mean_p50 mean_p99"
    awk -F'\t' -v n="$1" -v c="$2" '$1 == n && $2 == c { r += $4; a += $5; b += $6; k++ }
        END { if (k) printf "%.0f %.2f %.2f", r / k, a / k, b / k }' "$work/wrk.tsv"
}
per_connection() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { printf "%.0f", (b - a) * 1024 / n }'; }

mkdir -p "$(dirname "$results")"
kept=""
[[ -f "$results" ]] && kept=$(sed -n '/^<!-- kept by run.sh -->$/,$p' "$results")
{
    echo "# Proxied requests and idle keep-alive memory: Holdfast against HAProxy"
    echo
    echo "Generated by \`bench/proxy/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$repo" rev-parse --short HEAD)."
    echo
    echo "## Machine"
    echo
    echo "- CPUs: $(nproc), $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
    echo "- Memory: $(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
    echo "- Kernel: $(uname -sr)"
    echo "- $(haproxy -v | head -1 | cut -d' ' -f1-3), $(nginx -v 2>&1 | sed 's/.*: //'), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
    echo "- Open files limit: $(ulimit -n)"
    echo
    echo "wrk, the proxy and the backend share the 2 cores: wrk's 2 threads take CPU the proxy would"
    echo "otherwise have, so the absolute numbers are low for both proxies; the ratio is the result."
    echo
    echo "## Setup"
    echo
    echo "- Backend: nginx, one process (\`master_process off\`), \`return 200 \"hello\\n\"\`, keep-alive."
    echo "- Holdfast: \`.build/release/holdfast\`, \`workers = 2\`, backend \`max_connections = 32\` per worker,"
    echo "  \`sticky = \"none\"\`, \`client_idle = \"1h\"\`."
    echo "- HAProxy: \`nbthread 2\`, \`mode http\`, \`http-reuse always\`, server \`maxconn 64\` (= 2 × 32,"
    echo "  the same bound on backend connections as Holdfast's pools), keep-alive timeouts 1 h."
    echo "- Load: \`wrk -t2 -c{100,1000} -d${duration}s --latency http://127.0.0.1:PORT/\`, Holdfast and HAProxy"
    echo "  alternating, $rounds rounds each; the backend alone once per connection count."
    echo "- Exact command: \`DURATION=$duration ROUNDS=$rounds IDLE=$idle_total ${baseline:+BASELINE=$baseline }bench/proxy/run.sh\`"
    [[ -n $baseline ]] && echo "- baseline: the same Holdfast configuration with \`$baseline\`, run in the same rounds between Holdfast and HAProxy."
    echo
    echo "## Requests per second and latency (mean over rounds)"
    echo
    echo "| connections | nginx alone req/s | Holdfast req/s | HAProxy req/s | Holdfast / HAProxy | Holdfast p50 / p99 ms | HAProxy p50 / p99 ms |${baseline:+ baseline req/s | baseline / HAProxy |}"
    echo "|---|---|---|---|---|---|---|${baseline:+---|---|}"
    for connections in "${connection_counts[@]}"; do
        read -r nr _ _ <<<"$(summary nginx "$connections")"
        read -r hr h50 h99 <<<"$(summary Holdfast "$connections")"
        read -r ar a50 a99 <<<"$(summary HAProxy "$connections")"
        ratio=$(awk -v h="$hr" -v a="$ar" 'BEGIN { printf "%.2f", h / a }')
        extra=""
        if [[ -n $baseline ]]; then
            read -r br _ _ <<<"$(summary baseline "$connections")"
            extra=" $br | $(awk -v h="$br" -v a="$ar" 'BEGIN { printf "%.2f", h / a }')× |"
        fi
        echo "| $connections | $nr | $hr | $ar | **${ratio}×** | $h50 / $h99 | $a50 / $a99 |$extra"
    done
    echo
    echo "Every run:"
    echo
    echo "| target | connections | round | req/s | p50 ms | p99 ms | errors |"
    echo "|---|---|---|---|---|---|---|"
    awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7 }' "$work/wrk.tsv"
    echo
    echo "## Memory per idle keep-alive client connection ($idle_total connections)"
    echo
    echo "Each connection sent one \`GET / HTTP/1.1\`, got its response, and stayed open idle."
    echo "Sum over the proxy's processes (Holdfast: master and workers) of \`/proc/PID/smaps_rollup\`"
    echo "(Private_Clean + Private_Dirty, and Rss), before opening and with all open, divided by the"
    echo "number of connections; kernel socket buffers are not in these figures."
    echo
    echo "| proxy | Private before kB | Private after kB | bytes per connection (Private) | bytes per connection (Rss) | established | closed by proxy | open fds per process |"
    echo "|---|---|---|---|---|---|---|---|"
    for name in Holdfast ${baseline:+baseline} HAProxy; do
        case $name in
            Holdfast) m=("${holdfast_idle[@]}") ;;
            baseline) m=("${baseline_idle[@]}") ;;
            *) m=("${haproxy_idle[@]}") ;;
        esac
        echo "| $name | ${m[1]} | ${m[3]} | **$(per_connection "${m[1]}" "${m[3]}" "$idle_total")** | $(per_connection "${m[0]}" "${m[2]}" "$idle_total") | ${m[4]} | ${m[5]} | ${m[6]} |"
    done
    echo
    echo "## Targets"
    echo
    read -r hr _ _ <<<"$(summary Holdfast 100)"; read -r ar _ _ <<<"$(summary HAProxy 100)"
    ratio100=$(awk -v h="$hr" -v a="$ar" 'BEGIN { printf "%.2f", h / a }')
    read -r hr _ _ <<<"$(summary Holdfast 1000)"; read -r ar _ _ <<<"$(summary HAProxy 1000)"
    ratio1000=$(awk -v h="$hr" -v a="$ar" 'BEGIN { printf "%.2f", h / a }')
    idle_bytes=$(per_connection "${holdfast_idle[1]}" "${holdfast_idle[3]}" "$idle_total")
    verdict() { awk -v v="$1" -v t="$2" -v dir="$3" 'BEGIN { ok = dir == "min" ? v >= t : v <= t; print ok ? "reached" : "**not reached**" }'; }
    echo "| target | measured | |"
    echo "|---|---|---|"
    echo "| ≥ 1.0× HAProxy requests/s with 2 workers (-c100) | ${ratio100}× | $(verdict "$ratio100" 1.0 min) |"
    echo "| ≥ 1.0× HAProxy requests/s with 2 workers (-c1000) | ${ratio1000}× | $(verdict "$ratio1000" 1.0 min) |"
    echo "| ≤ 1.5 KB (1536 bytes) per idle keep-alive connection | $idle_bytes bytes | $(verdict "$idle_bytes" 1536 max) |"
    if [[ -n $profile_dso ]]; then
        echo
        echo "## Profile of the Holdfast workers under \`wrk -c100\`"
        echo
        echo "\`perf record -e cpu-clock -F 2000 -g\` on both workers; shares of all samples."
        echo
        echo "By object:"
        echo
        echo '```'
        echo "$profile_dso"
        echo '```'
        echo
        echo "Top symbols, self time:"
        echo
        echo '```'
        echo "$profile_symbols"
        echo '```'
        echo
        echo "Top user-space functions, inclusive of their callees (children, self):"
        echo
        echo '```'
        echo "$profile_inclusive"
        echo '```'
    fi
    if [[ -n $kept ]]; then echo; echo "$kept"; fi
} >"$results.tmp"
mv "$results.tmp" "$results"
echo "wrote $results" >&2
"$repo/bench/report.sh"
