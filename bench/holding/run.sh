#!/bin/bash
# Held-connection benchmark: Holdfast, Pushpin, nginx+nchan and a raw C floor hold N long-polls;
# measures user-space bytes per held connection, backend connections while holding, fan-out
# latency of one published message, and new holds per second.
# Usage (from the repository root): bench/holding/run.sh [--quick] [--websocket]
#   --quick: N = 2,000 everywhere, results to $TMPDIR only (shakes out bugs in a minute).
#   --websocket: the clients hold WebSockets instead (Holdfast's built-in subscribe = "websocket",
#     Holdfast speaking WebSocket-over-HTTP to the backend as holdfast_grip, the raw floor
#     answering the handshake itself) at N_SMALL only, results to bench/results/websocket.md;
#     Pushpin (WebSocket-over-HTTP to the backend) beside them, no nchan, no holds/s runs.
# Knobs (environment): HOLDFAST_BINARY (default .build/release/holdfast); BASELINE (another
#   holdfast binary, measured as "baseline" in the same rounds, for before/after comparisons:
#   Pushpin, nchan and the holds/s runs are then left out); N_SMALL, N_LARGE; ROUNDS; RESULTS;
#   HOLDING_PORT_BASE (ports base .. base + 3, Pushpin's base + 61 on; default 18500).
# Writes bench/results/holding.md; anything from its "## Where it goes" line on is kept.
# Every process is started in its own process group and stopped by that id; loopback only.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
quick=0 websocket=0
for arg in "$@"; do
    case $arg in
    --quick) quick=1 ;;
    --websocket) websocket=1 ;;
    *) echo "usage: $0 [--quick] [--websocket]" >&2; exit 2 ;;
    esac
done
if ((quick)); then
    n_small=2000 n_large=2000 hold_rates="1000 2000" hold_seconds=1 rounds=1
    results="${TMPDIR:-/tmp}/holding-quick.md"
else
    n_small=15000 n_large=60000 hold_rates="2500 5000 10000 20000" hold_seconds=3 rounds=${ROUNDS:-3}
    results="$repo/bench/results/holding.md"
fi
n_small=${N_SMALL:-$n_small} n_large=${N_LARGE:-$n_large}
baseline=${BASELINE:-}
[[ -n $baseline ]] && results="$repo/bench/results/holding-baseline.md"
if ((websocket)); then
    results="$repo/bench/results/websocket.md"
    ((quick)) && results="${TMPDIR:-/tmp}/websocket-quick.md"
fi
results=${RESULTS:-$results}
# Each worker holds at most ~15,000 clients under the 20,000 open-file limit.
large_workers=$(( n_large > 60000 ? (n_large + 14999) / 15000 : 4 ))
deadline_s=1500                      # the whole run is bounded
pushpin_offset=$(( ${HOLDING_PORT_BASE:-18500} - 5500 ))   # Pushpin's publish port 5561 becomes base + 61
work=$(mktemp -d "${TMPDIR:-/tmp}/holding.XXXXXX")
groups=()                            # process-group ids of everything started here
# shellcheck source=../lib/processes.sh
source "$repo/bench/lib/processes.sh"
# shellcheck source=../lib/stats.sh
source "$repo/bench/lib/stats.sh"
# shellcheck source=../lib/nchan.sh
source "$repo/bench/lib/nchan.sh"
# shellcheck source=../lib/holding.sh
source "$repo/bench/lib/holding.sh"

ulimit -n "$(ulimit -Hn)"

bounded_run "$deadline_s"

backend_connections() {
    ss -Htn state established "( dport = :$backend_port )" | wc -l
}

# --- the proxies under test: each sets publish_port, publish_req, has_backend ---

# In --websocket runs: the clients' handshake options, the floor's and the backend's mode
# (WebSocket-over-HTTP, for Pushpin), Holdfast's extra config, Pushpin's route option and message.
client_mode=() floor_mode=() pushpin_route="" pushpin_format="http-response"
pushpin_message='"body":"PUBMSG\\n"'
if ((websocket)); then
    client_mode=(-k -u /ws/bench) floor_mode=(websocket) backend_mode=(websocket)
    pushpin_route=",over_http" pushpin_format="ws-message" pushpin_message='"content":"PUBMSG\n"'   # JSON \n: the same 7 bytes as the others
    websocket_config='
[websocket]
ping_interval = "10m"
[[route]]
path_prefix = "/ws/"
subscribe = "websocket"'
fi

# Holdfast terminating the WebSockets and speaking WebSocket-over-HTTP to the backend, as Pushpin
# does (the backend accepts each OPEN and subscribes it); the message is published as ws-message.
start_holdfast_grip() {   # workers
    local builtin=$websocket_config
    websocket_config='
[websocket]
ping_interval = "10m"
[[route]]
path_prefix = "/ws/"
websocket = "grip"
backends = ["app"]'
    start_holdfast "$1"
    websocket_config=$builtin
    local body='{"items":[{"channel":"bench","formats":{"ws-message":{"content":"PUBMSG\n"}}}]}'
    publish_req=$(request_file holdfast_grip "POST /publish/ HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: ${#body}\r\nConnection: close\r\n\r\n%s" "$body")
}

start_baseline() {   # workers: the same as holdfast, with the BASELINE binary
    local current=$holdfast
    holdfast=$baseline
    start_holdfast "$1"
    holdfast=$current
}

start_pushpin() {   # workers (Pushpin has no worker count: condure holds every client)
    start_backend
    local d="$work/pushpin"
    mkdir -p "$d/run" "$d/log"
    sed -e "s|ipc:///var/run/zurl/zurl-|ipc://{rundir}/{ipc_prefix}zurl-|" /usr/lib/pushpin/internal.conf >"$d/internal.conf"
    sed -e "s|^include=.*|include=$d/internal.conf|" -e "s|^rundir=.*|rundir=$d/run|" \
        -e "s|^logdir=.*|logdir=$d/log|" -e "s|^port_offset=.*|port_offset=$pushpin_offset|" \
        -e "s|^services=.*|services=condure,zurl,pushpin-proxy,pushpin-handler|" \
        -e "s|^client_maxconn=.*|client_maxconn=70000|" /etc/pushpin/pushpin.conf >"$d/pushpin.conf"
    echo "* 127.0.0.1:$backend_port$pushpin_route" >"$d/routes"
    start "$work/pushpin.log" pushpin --config "$d/pushpin.conf" --port "127.0.0.1:$client_port" --loglevel 1 --merge-output
    proxy_group=$started
    publish_port=$((5561 + pushpin_offset)) has_backend=1
    wait_listening "$client_port"
    wait_listening "$publish_port"
    local body="{\"items\":[{\"channel\":\"bench\",\"formats\":{\"$pushpin_format\":{$pushpin_message}}}]}"
    publish_req=$(request_file pushpin "POST /publish/ HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: ${#body}\r\nConnection: close\r\n\r\n%s" "$body")
}

start_nchan() {   # workers
    local d="$work/nginx"
    mkdir -p "$d"
    { nchan_config_head "$1" "$d"; cat <<EOF
  server {
    listen 127.0.0.1:$client_port reuseport;
    location = /x { nchan_subscriber longpoll; nchan_channel_id bench; nchan_subscriber_timeout 600; nchan_subscriber_first_message newest; }
    location = /pub { nchan_publisher; nchan_channel_id bench; }
  }
}
EOF
    } >"$d/nginx.conf"
    start "$work/nginx.log" nginx -c "$d/nginx.conf" -p "$d" -g 'daemon off;'
    proxy_group=$started
    wait_listening "$client_port"
    publish_port=$client_port has_backend=0
    publish_req=$(request_file nchan 'POST /pub HTTP/1.1\r\nHost: bench\r\nContent-Length: 7\r\nConnection: close\r\n\r\nPUBMSG\n')
}

start_floor() {   # workers
    start "$work/rawfloor.log" "$work/rawfloor" "$client_port" "$trigger_port" "$1" "${floor_mode[@]}"
    proxy_group=$started
    wait_listening "$client_port"
    wait_listening "$trigger_port"
    publish_port=$trigger_port has_backend=0
    publish_req=$(request_file floor 'POST /trigger HTTP/1.1\r\nConnection: close\r\n\r\n')
}

# The floor measured a second time in the same round: how far two runs of the same program differ
# here, which bounds what a single round's ratio can tell.
start_floor_again() { start_floor "$@"; }

# One held request answered by one publish: every piece works before anything is measured.
warm_up() {
    local out="$work/warmup.out" attempt curl_pid
    ((websocket)) && { warm_up_websocket; return; }
    for attempt in 1 2 3; do
        rm -f "$out"
        (curl -s --max-time 10 "http://127.0.0.1:$client_port/x" >"$out" 2>&1 || true) &
        curl_pid=$!
        sleep 1
        "$work/publish" "$publish_port" "$publish_req" "$work/warmup.t0" >/dev/null
        wait "$curl_pid"
        grep -q PUBMSG "$out" && return 0
        echo "warm-up attempt $attempt: expected PUBMSG, got: $(cat "$out")" >&2
    done
    return 1
}

warm_up_websocket() {   # the same with one WebSocket client
    local out="$work/warmup.out" attempt client
    for attempt in 1 2 3; do
        rm -f "$out" "$work/warmup.t0"
        timeout 20 "$work/holdclient" "${client_mode[@]}" -p "$client_port" -n 1 -P 1 -w 0.5 -W 5 -i 2 \
            -t "$work/warmup.t0" >"$out" 2>&1 &
        client=$!
        for _ in $(seq 50); do grep -qs READY "$out" && break; sleep 0.1; done
        "$work/publish" "$publish_port" "$publish_req" "$work/warmup.t0" >/dev/null
        wait "$client" || true
        grep -q 'RESULT delivered=1 ' "$out" && return 0
        echo "warm-up attempt $attempt: expected one delivery, got: $(cat "$out")" >&2
    done
    return 1
}

client_processes() { echo $(( ($1 + 14999) / 15000 > 1 ? ($1 + 14999) / 15000 : 2 )); }

# fan-out scenario: proxy name, N, workers, setup rate (connections per second)
fanout() {
    local proxy=$1 n=$2 workers=$3 rate=$4
    echo "== $proxy N=$n workers=$workers" >&2
    "start_$proxy" "$workers"
    warm_up
    sleep 1
    local before after out="$work/client.out" t0="$work/t0"
    before=$(group_memory "$proxy_group")
    rm -f "$out" "$t0"
    timeout 300 "$work/holdclient" "${client_mode[@]}" -p "$client_port" -n "$n" -P "$(client_processes "$n")" -r "$rate" \
        -w 2 -W 120 -i 5 -t "$t0" -L "$work/latencies.$proxy.$n" >"$out" 2>"$work/client.err" &
    local client=$!
    for _ in $(seq 1200); do grep -qs READY "$out" && break; kill -0 "$client" 2>/dev/null || break; sleep 0.1; done
    grep READY "$out" >&2 || { echo "client never got ready: $(cat "$work/client.err")" >&2; return 1; }
    sleep 1
    after=$(group_memory "$proxy_group")
    local backends=n/a
    ((has_backend)) && backends=$(backend_connections)
    local published
    published=$("$work/publish" "$publish_port" "$publish_req" "$t0" | tr -d '\r' | grep -E 'subscribers|receivers|ok|Published|queued' | head -1 || true)
    wait "$client" || true
    cat "$out" >&2
    local held pss_b rss_b pss_a rss_a
    held=$(sed -n 's/^READY held=\([0-9]*\).*/\1/p' "$out")
    ((websocket)) && held=$(sed -n 's/^READY .*upgraded=\([0-9]*\).*/\1/p' "$out")   # held = answered 101
    read -r pss_b rss_b <<<"$before"
    read -r pss_a rss_a <<<"$after"
    local result
    result=$(grep '^RESULT' "$out" || echo "RESULT delivered=0")
    echo -e "$proxy\t$n\t$workers\t$held\t$(( (pss_a - pss_b) * 1024 / n ))\t$(( (rss_a - rss_b) * 1024 / n ))\t$backends\t$(field delivered "$result")\t$(field p50_ms "$result")\t$(field p99_ms "$result")\t$(field max_ms "$result")" >>"$work/fanout.tsv"
    echo "ROW $(tail -1 "$work/fanout.tsv")" >&2   # each round's figures, for ranges (the table has medians)
    stop_all
}

# new holds per second: proxy, workers, rate
hold_rate() {
    local proxy=$1 workers=$2 rate=$3 n
    n=$((rate * hold_seconds))
    [[ $proxy == pushpin ]] && ((n > 18000)) && n=18000   # condure holds every client in one process
    echo "== holds/s $proxy rate=$rate n=$n" >&2
    "start_$proxy" "$workers"
    warm_up
    local line sampler="" samples="$work/held.samples"
    : >"$samples"
    if [[ $proxy == holdfast ]]; then   # the proxy's own count of held connections, every 100ms
        (while sleep 0.1; do
            echo "$(date +%s%N) $(curl -s --max-time 1 "http://127.0.0.1:$control_port/status" | sed -n 's/.*"held": \([0-9]*\).*/\1/p')"
        done >"$samples") &
        sampler=$!
    fi
    line=$(timeout 120 "$work/holdclient" -x -p "$client_port" -n "$n" -P "$(client_processes "$n")" -r "$rate" -w 6 2>&1 | grep HOLDRATE || echo "HOLDRATE failed")
    if [[ -n $sampler ]]; then
        kill "$sampler"
        wait "$sampler" 2>/dev/null || true
        # from the first sample with a hold to the first with all of them
        line+=" proxy_held_per_s=$(awk -v n="$n" '$2 > 0 && !first {first = $1} $2 >= n && !full {full = $1} END {if (first && full > first) printf "%.0f", n / ((full - first) / 1e9); else print "n/a"}' "$samples")"
    fi
    echo "$line" >&2
    echo -e "$proxy\t$workers\t$line" >>"$work/holdrate.tsv"
    stop_all
}

field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<<"$2"; }

# One markdown row per proxy × N × workers: medians over the rounds; ratio of median max to the floor's.
median_rows() {
    awk -F'\t' "$stats_awk"'
        {
            key = $1 "\t" $2 "\t" $3
            if (!(key in seen)) { seen[key] = 1; order[++keys] = key }
            for (c = 4; c <= 11; c++) col[key, c] = col[key, c] " " $c
        }
        END {
            for (i = 1; i <= keys; i++) {
                split(order[i], k, "\t")
                max = median(col[order[i], 11])
                floor = median(col["floor\t" k[2] "\t" k[3], 11])
                ratio = (max != "n/a" && floor + 0 > 0) ? sprintf("%.2f", max / floor) : "n/a"
                printf "| %s | %s | %s | %s | %s [%s] | %s | %s | %s | %s | %s (%s) | %s |\n", k[1], k[2], k[3],
                    median(col[order[i], 4]), median(col[order[i], 5]), median(col[order[i], 6]), median(col[order[i], 7]),
                    median(col[order[i], 8]), median(col[order[i], 9]), median(col[order[i], 10]), max, range(col[order[i], 11]), ratio
            }
        }' "$1"
}

holding_sections() {   # the holds/s table and the long-poll targets
    echo
    echo "## New holds per second"
    echo
    echo "Connections opened at the target rate over ${hold_seconds}s (Pushpin capped at 18,000: condure holds them all in one process), each sending one long-poll; counted once nothing has arrived for 6s after the last (Holdfast's queue timeout is 5s): held = open and unanswered; 5xx = answered with a server error. Client sent/s = the rate at which the client managed to write its requests (it shares the CPUs); proxy held/s = N / (time from the first to the last hold in Holdfast's own count, \`/status\` sampled every 100 ms)."
    echo
    echo "| proxy | workers | target/s | client sent/s | proxy held/s | opened | held | 5xx | other answers | closed | connect failures |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|"
    local proxy workers line
    while IFS=$'\t' read -r proxy workers line; do
        echo "| $proxy | $workers | $(field target_per_s "$line") | $(field achieved_per_s "$line") | $(field proxy_held_per_s "$line") | $(field opened "$line") | $(field held "$line") | $(field answered_5xx "$line") | $(field answered_other "$line") | $(field closed "$line") | $(field failed "$line") |"
    done <"$work/holdrate.tsv"
    echo
    echo "## Targets"
    echo
    echo "- ≤ 512 bytes of user space per held long-poll"
    echo "- fan-out ≤ 1.2 × the raw floor"
    echo "- ≥ 10,000 new holds per second with no 5xx"
    echo
    echo "For reference, the issue measured at N = 19,000: Pushpin about 34 KB per held connection, nginx+nchan about 10.3 KB; last delivery: floor ~206 ms, nchan 400 ms, Pushpin 7.9 s."
}

websocket_targets() {
    echo
    echo "## Targets"
    echo
    echo "- ≤ 600 bytes of user space per held WebSocket"
    echo "- publish → last delivery ≤ 1.2 × the raw floor writing the same frames"
    echo "- ≥ 10 × fewer bytes per held WebSocket than Pushpin"
}

write_results() {
    local kept=""
    [[ -f $results ]] && kept=$(sed -n '/^## Where it goes/,$p' "$results")
    {
        if ((websocket)); then echo "# Held WebSocket benchmark"; else echo "# Held-connection benchmark"; fi
        echo
        local knobs=""
        [[ -n ${N_SMALL:-} ]] && knobs+="N_SMALL=$N_SMALL "
        [[ -n ${N_LARGE:-} ]] && knobs+="N_LARGE=$N_LARGE "
        [[ -n ${ROUNDS:-} ]] && knobs+="ROUNDS=$ROUNDS "
        [[ -n $baseline ]] && knobs+="BASELINE=$baseline "
        [[ -n ${HOLDFAST_BINARY:-} ]] && knobs+="HOLDFAST_BINARY=$HOLDFAST_BINARY "
        echo "Generated by \`${knobs}bench/holding/run.sh$( ((quick)) && echo ' --quick')$( ((websocket)) && echo ' --websocket')\` on $(date -u +%Y-%m-%d) (commit $(git -C "$repo" rev-parse --short HEAD))."
        echo
        echo "Machine: $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(free -g | awk '/^Mem:/ {print $2}') GiB memory, kernel $(uname -r); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared with other builds)."
        echo "Open-file limit per process: $(ulimit -n). Clients, proxy and backend share the machine's CPUs."
        echo
        echo "## Holding and fan-out"
        echo
        ((websocket)) && echo "Every client sends a WebSocket opening handshake for \`/ws/bench\` (Holdfast: a \`subscribe = \"websocket\"\` route, channel \`bench\`; the floor answers the handshake itself) and counts as held once answered \`101\`; the message is the one unmasked text frame \`PUBMSG\\n\` (9 bytes), which the floor writes to every client as it is." && echo
        echo "Bytes per held connection = (sum of Pss over all the proxy's processes after holding N − before) / N, user space only (kernel socket memory not included); Rss in brackets. Backend connections = ESTABLISHED sockets to the backend port while holding. Fan-out = time from writing the publish request to each client reading the message (CLOCK_MONOTONIC in both processes). Ratio = max / the raw floor's max at the same N and workers."
        echo
        echo "Each scenario ran $rounds time(s), one after the other; the table shows the median of each column over the rounds, and the range of max."
        echo
        echo "| proxy | N | workers | held | bytes/held (Pss [Rss]) | backend conns | delivered | p50 ms | p99 ms | max ms (range) | max ÷ floor |"
        echo "|---|---|---|---|---|---|---|---|---|---|---|"
        median_rows "$work/fanout.tsv"
        [[ -n ${not_run:-} ]] && echo && echo "$not_run"
        if ((websocket)); then websocket_targets; else holding_sections; fi
        echo
        echo "Raw per-connection latencies are not kept; rerun with the script to get them (holdclient -L)."
        [[ -n $kept ]] && echo && echo "$kept"
    } >"$results"
    echo "wrote $results" >&2
if [[ $results == "$repo/bench/results/"*.md ]]; then "$repo/bench/report.sh"; fi
}

build_holding_tools
: >"$work/fanout.tsv"
: >"$work/holdrate.tsv"
if ((websocket)); then
    for ((round = 1; round <= rounds; round++)); do
        for proxy in floor holdfast holdfast_grip floor_again; do
            fanout "$proxy" "$n_small" 1 10000 || { echo "failed: $proxy" >&2; stop_all; }
        done
        fanout pushpin "$n_small" 1 500 || { echo "failed: pushpin" >&2; stop_all; }  # 500/s: 2000/s had 45% answered 502
    done
    not_run="holdfast_grip and Pushpin terminate the WebSockets and speak WebSocket-over-HTTP to the backend (Holdfast: \`websocket = \"grip\"\` on the route; Pushpin: route option \`over_http\`); the backend accepts each OPEN and subscribes it to \`bench\`, and the message is published as \`ws-message\`. floor_again is the raw floor run a second time in the same round, after the others: its ratio to the first is how far two runs of the same program differ on this machine."
    write_results
    exit 0
fi
peers="nchan"
[[ -n $baseline ]] && peers="baseline"
for ((round = 1; round <= rounds; round++)); do
    for proxy in floor holdfast $peers; do
        fanout "$proxy" "$n_small" 1 10000 || { echo "failed: $proxy" >&2; stop_all; }
    done
    if [[ -z $baseline ]]; then
        fanout pushpin "$n_small" 1 2000 || { echo "failed: pushpin" >&2; stop_all; }  # fewer 502s than at 10000/s
    fi
    for proxy in floor holdfast $peers; do
        fanout "$proxy" "$n_large" "$large_workers" 10000 || { echo "failed: $proxy" >&2; stop_all; }
    done
done
not_run=
if [[ -n $baseline ]]; then
    not_run="Before/after run: \"baseline\" is $baseline; Pushpin, nchan and the holds/s runs were left out."
else
    ((quick)) || not_run="Pushpin is not run at N = $n_large: condure (Pushpin's connection manager) is a single process holding every client socket, and the per-process open-file limit here is 20,000."
    for rate in $hold_rates; do
        hold_rate holdfast 4 "$rate" || { echo "failed: holdfast" >&2; stop_all; }
    done
    for rate in $hold_rates; do
        hold_rate pushpin 1 "$rate" || { echo "failed: pushpin" >&2; stop_all; }
    done
fi
write_results
