#!/bin/bash
# How many held long-polls this machine takes: Holdfast and the raw C floor hold N long-polls
# each (default 250,000, 500,000 and 1,000,000), then one publish reaches all of them.
# Measures user-space and kernel memory per held connection, publish → last delivery, and, when
# a size is not reached, what stopped it.
# Usage (from the repository root, as root for the sysctls): bench/holding/scale.sh [N ...]
# Knobs (environment): HOLDFAST_BINARY (default .build/release/holdfast); RATE (connections per
#   second offered, default 20000); PROXIES (default "holdfast floor", either or both); RESULTS (default
#   bench/results/scale.md); LOGS=DIR keeps every process's log there.
# The per-process open-file limit here is 20,000 and cannot be raised, so both the proxy and
# the client use one process per 15,000 connections, and the client binds source addresses
# 127.0.0.2, 127.0.0.3, ... (8,000 connections each: loopback gives ~28,000 ports per address,
# but connect() searches the ports in use for a free one, which took 30 % of the CPU at the end
# of a million-connection ramp at 20,000 per address).
# Every process is started in its own process group and stopped by that id; loopback only.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
sizes=("$@")
((${#sizes[@]})) || sizes=(250000 500000 1000000)
rate=${RATE:-20000}
proxies=${PROXIES:-holdfast floor}
results=${RESULTS:-$repo/bench/results/scale.md}
per_process=15000 per_source=8000
export HOLDING_PORT_BASE=${HOLDING_PORT_BASE:-18600}
work=$(mktemp -d "${TMPDIR:-/tmp}/scale.XXXXXX")
groups=()
# shellcheck source=../lib/processes.sh
source "$repo/bench/lib/processes.sh"
# shellcheck source=../lib/holding.sh
source "$repo/bench/lib/holding.sh"

ulimit -n "$(ulimit -Hn)"
# Each proxy's run waits for its ramp at no less than 400 connections/s, then for the publish,
# the teardown and a few fixed waits.
total=0
for n in "${sizes[@]}"; do total=$((total + n)); done
bounded_run $(( 1200 * ${#sizes[@]} + total * 2 / 400 ))

# The kernel settings a million connections need (docs/operations.md explains each); applied
# when allowed, and recorded either way.
tune_kernel() {
    local setting
    for setting in fs.file-max=2466116 net.core.somaxconn=65535 net.ipv4.tcp_max_syn_backlog=65535; do
        sysctl -q -w "$setting" 2>/dev/null || echo "could not set $setting (not root?)" >&2
    done
}

processes_for() { echo $(( ($1 + per_process - 1) / per_process )); }

start_scaled_holdfast() {   # N: a worker per 15,000, each allowed 1,000 more
    local workers
    workers=$(processes_for "$1")
    # The clients share the 2 cores with a worker per 15,000 and are not scheduled for seconds
    # during a ramp: the header and queue timeouts wait as long as the ramp may take.
    server_config="
max_connections = $(( workers * (per_process + 1000) ))" client_idle=2h timeouts_config='
client_header = "10m"
queue = "10m"'
    start_holdfast "$workers"
}

start_scaled_floor() {   # N
    start "$work/rawfloor.log" "$work/rawfloor" "$client_port" "$trigger_port" "$(processes_for "$1")"
    proxy_group=$started
    wait_listening "$client_port"
    wait_listening "$trigger_port"
    publish_port=$trigger_port
    publish_req=$(request_file floor 'POST /trigger HTTP/1.1\r\nConnection: close\r\n\r\n')
}

# Kernel memory in kB: slab (sockets, inodes, epoll items) and TCP buffers (sockstat pages × 4).
kernel_memory() {
    local slab tcp_pages
    slab=$(awk '/^Slab:/ {print $2}' /proc/meminfo)
    tcp_pages=$(awk '/^TCP:/ {for (i = 1; i < NF; i++) if ($i == "mem") print $(i + 1)}' /proc/net/sockstat)
    echo "$slab $((tcp_pages * 4))"
}

available_kb() { awk '/^MemAvailable:/ {print $2}' /proc/meminfo; }

field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<<"$2"; }

# proxy name, N: one row of $work/scale.tsv
run_size() {
    local proxy=$1 n=$2 clients out="$work/client.out"
    clients=$(processes_for "$n")
    echo "== $proxy N=$n processes=$clients $(date -u +%T)" >&2
    rm -f "$work"/*.log
    "start_scaled_$proxy" "$n"
    sleep 1
    local user_before kernel_before avail_before
    user_before=$(group_memory "$proxy_group") kernel_before=$(kernel_memory) avail_before=$(available_kb)
    rm -f "$out" "$work/t0"
    local seconds=$(( n / 400 + 300 ))   # the ramp, at no less than 400/s (it ran at 850-1,700/s here)
    start "$out" timeout "$((seconds + 300))" "$work/holdclient" -p "$client_port" -n "$n" -P "$clients" \
        -S "$per_source" -r "$rate" -w 5 -W 240 -i 15 -t "$work/t0"
    local client=$started
    local deadline=$((SECONDS + seconds))
    while ((SECONDS < deadline)); do grep -qs READY "$out" && break; kill -0 "$client" 2>/dev/null || break; sleep 0.5; done
    local ready
    ready=$(grep READY "$out" || echo "READY held=0 never: $(head -c 300 "$out")")
    echo "$ready" >&2
    sleep 6   # past the workers' 5 s heap trim
    local user_after kernel_after avail_after
    user_after=$(group_memory "$proxy_group") kernel_after=$(kernel_memory) avail_after=$(available_kb)
    local status=""
    [[ $proxy == holdfast ]] && status=$(curl -s --max-time 10 "http://127.0.0.1:$control_port/status" | tr -d '\n ' | grep -o '"held":[0-9]*' | head -1)
    "$work/publish" "$publish_port" "$publish_req" "$work/t0" >"$work/publish.out" 2>&1 || true
    wait "$client" || true
    cat "$out" >&2
    local held result pss_b rss_b pss_a rss_a slab_b tcp_b slab_a tcp_a
    held=$(field held "$ready")
    result=$(grep '^RESULT' "$out" || echo "RESULT delivered=0")
    read -r pss_b rss_b <<<"$user_before"
    read -r pss_a rss_a <<<"$user_after"
    read -r slab_b tcp_b <<<"$kernel_before"
    read -r slab_a tcp_a <<<"$kernel_after"
    local per=$(( held > 0 ? held : 1 ))
    echo -e "$proxy\t$n\t$clients\t$held\t$(field failed "$ready")\t$(field setup_s "$ready")\t$(( (pss_a - pss_b) * 1024 / per ))\t$(( (rss_a - rss_b) * 1024 / per ))\t$(( (slab_a - slab_b) * 1024 / per ))\t$(( (tcp_a - tcp_b) * 1024 / per ))\t$(( (avail_before - avail_after) / 1024 ))\t$(field delivered "$result")\t$(field p50_ms "$result")\t$(field p99_ms "$result")\t$(field max_ms "$result")\t${status#*:}" >>"$work/scale.tsv"
    if [[ -n ${LOGS:-} ]]; then
        mkdir -p "$LOGS"
        for log in "$work"/*.log "$out"; do cp "$log" "$LOGS/$proxy.$n.${log##*/}"; done
        # What cut connections short, if any did: Holdfast's timeouts and upstream errors.
        [[ $proxy == holdfast ]] && curl -s --max-time 10 "http://127.0.0.1:$control_port/metrics" \
            | grep -v '^#' >"$LOGS/$proxy.$n.metrics" || true
    fi
    stop_all
    # The sockets' memory returns to the kernel only once every TIME_WAIT and close is done.
    for _ in $(seq 120); do
        (( $(awk '/^TCP:/ {print $3}' /proc/net/sockstat) < 1000 )) && break
        sleep 0.5
    done
}

write_results() {
    {
        echo "# A million held connections"
        echo
        local knobs="RATE=$rate "
        [[ -n ${PROXIES:-} ]] && knobs+="PROXIES=\"$PROXIES\" "
        [[ -n ${HOLDFAST_BINARY:-} ]] && knobs+="HOLDFAST_BINARY=$HOLDFAST_BINARY "
        echo "Generated by \`${knobs}bench/holding/scale.sh ${sizes[*]}\` on $(date -u '+%Y-%m-%d %H:%M') UTC, scripts at commit $(git -C "$repo" rev-parse --short HEAD)."
        echo
        echo "Machine: $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(free -g | awk '/^Mem:/ {print $2}') GiB memory, kernel $(uname -r); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared with other builds)."
        echo "Open files: $(ulimit -n) per process, fs.file-max $(sysctl -n fs.file-max); net.core.somaxconn $(sysctl -n net.core.somaxconn), tcp_max_syn_backlog $(sysctl -n net.ipv4.tcp_max_syn_backlog), ip_local_port_range $(sysctl -n net.ipv4.ip_local_port_range | tr '\t' ' ')."
        echo
        echo "One proxy process (Holdfast worker, floor worker) and one client process per 15,000 connections; the client binds 127.0.0.2, 127.0.0.3, … ($per_source connections each) and opens connections at $rate/s offered. Held = requests sent and unanswered once nothing has arrived for 5 s. User space = Pss [Rss] summed over all the proxy's processes, after − before, per held connection; kernel = the growth of \`Slab\` in /proc/meminfo (sockets, inodes, epoll items of both ends: the client's sockets are in it too) and of TCP buffer pages (/proc/net/sockstat), per held connection; memory used = the drop of MemAvailable over everything (clients included), MiB. Delivery = publish → each client reading the message (CLOCK_MONOTONIC)."
        echo
        echo "| proxy | N | processes | held | connect failures | setup s | user B/held (Pss [Rss]) | kernel slab B/held | TCP buffers B/held | memory used MiB | delivered | p50 ms | p99 ms | max ms | max ÷ floor | Holdfast's /status held |"
        echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
        awk -F'\t' '
            { row[NR] = $0; if ($1 == "floor") floor[$2] = $15 }
            END {
                for (i = 1; i <= NR; i++) {
                    split(row[i], c, "\t")
                    ratio = (c[2] in floor && floor[c[2]] + 0 > 0 && c[15] != "") ? sprintf("%.2f", c[15] / floor[c[2]]) : "n/a"
                    printf "| %s | %s | %s | %s | %s | %s | %s [%s] | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
                        c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12], c[13], c[14], c[15], ratio, c[16]
                }
            }' "$work/scale.tsv"
        [[ -f $results ]] && sed -n '/^## Where it stops/,$p' "$results"
    } >"$results.new"
    mv "$results.new" "$results"
    echo "wrote $results" >&2
    if [[ $results == "$repo/bench/results/"*.md ]]; then "$repo/bench/report.sh"; fi
}

tune_kernel
build_holding_tools
: >"$work/scale.tsv"
for n in "${sizes[@]}"; do
    for proxy in $proxies; do
        run_size "$proxy" "$n" || { echo "failed: $proxy $n" >&2; stop_all; }
    done
done
write_results
