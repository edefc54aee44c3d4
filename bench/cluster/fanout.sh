#!/bin/bash
# Publish -> last delivery for N held long-polls: all on one instance (no Redis), then spread over
# three instances sharing one redis-server, published to the first, then the same over three
# nginx+nchan instances in Redis mode (nchan_redis_pass). Uses bench/holding's holdclient and
# publish; every process is started here and stopped by its PID; loopback only.
# Usage (from the repository root): bench/cluster/fanout.sh [N] [ROUNDS]   (defaults 30000, 3)
# Writes bench/results/cluster.md (RESULTS to write elsewhere) and regenerates docs/benchmarks.md.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-30000} rounds=${2:-3}
binary=${HOLDFAST_BINARY:-$repo/.build/release/holdfast}
work=$(mktemp -d "${TMPDIR:-/tmp}/cluster-fanout.XXXXXX")
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    sleep 0.5
    for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)"
# shellcheck source=../lib/nchan.sh
source "$repo/bench/lib/nchan.sh"
for p in holdclient publish; do cc -O2 -Wall -Wextra -o "$work/$p" "$repo/bench/holding/$p.c"; done
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >/dev/null &
pids+=($!)

# start_instance NAME CLUSTER(0|1): sets $port and $control. Not run in a subshell, so that its
# PID reaches $pids (and the EXIT trap stays this shell's).
start_instance() {
    local name=$1 cluster=$2
    port=$(free_port) control=$(free_port)
    {
        # Two workers: one worker's 20,000 descriptors cannot hold 30,000 clients on one instance.
        printf '[server]\nlisten = ["127.0.0.1:%s"]\nworkers = 2\nmax_connections = 100000\n' "$port"
        printf '[timeouts]\nhold = "300s"\n[control]\nlisten = "127.0.0.1:%s"\n' "$control"
        ((cluster)) && printf '[cluster]\nredis = "redis://127.0.0.1:%s"\n' "$redis_port"
        printf '[[backend]]\nname = "app"\naddress = "127.0.0.1:9"\n'
        printf '[[route]]\npath_prefix = "/lp/"\nsubscribe = "longpoll"\n[[route]]\npath_prefix = "/"\nbackends = ["app"]\n'
    } >"$work/$name.conf"
    "$binary" --config "$work/$name.conf" 2>"$work/$name.log" &
    pids+=($!)
    for _ in $(seq 100); do
        curl -sf "http://127.0.0.1:$control/readyz" >/dev/null 2>&1 && break
        sleep 0.1
    done
}

# start_nchan NAME: an nginx+nchan instance (two workers) keeping its channels in the shared Redis;
# sets $port, which also takes publishes (POST /pub).
start_nchan() {
    local d="$work/$1"
    port=$(free_port)
    mkdir -p "$d"
    { nchan_config_head 2 "$d"; cat <<EOF
  upstream redis { nchan_redis_server "redis://127.0.0.1:$redis_port"; }
  server {
    listen 127.0.0.1:$port;
    location = /lp/bench { nchan_subscriber longpoll; nchan_channel_id bench; nchan_subscriber_timeout 300; nchan_subscriber_first_message newest; nchan_redis_pass redis; }
    location = /pub { nchan_publisher; nchan_channel_id bench; nchan_redis_pass redis; }
  }
}
EOF
    } >"$d/nginx.conf"
    nginx -c "$d/nginx.conf" -p "$d" -g 'daemon off;' 2>"$d/stderr.log" &
    pids+=($!)
    for _ in $(seq 100); do
        ss -Htln "( sport = :$port )" | grep -q . && break
        sleep 0.1
    done
}

printf 'POST /publish/bench HTTP/1.1\r\nHost: bench\r\nContent-Length: 7\r\nConnection: close\r\n\r\nPUBMSG\n' >"$work/publish.req"
printf 'POST /pub HTTP/1.1\r\nHost: bench\r\nContent-Length: 7\r\nConnection: close\r\n\r\nPUBMSG\n' >"$work/nchan.req"

# round PORTS...: holds N/len(PORTS) long-polls on each port, publishes to the first instance's
# control port ($control_first), prints the slowest client's max and the median of the p50s.
round() {
    local count=$(( n / $# )) index=0 port t0="$work/t0" outs=()
    rm -f "$t0"
    for port in "$@"; do
        "$work/holdclient" -p "$port" -n "$count" -P $(( (count + 14999) / 15000 )) -s $((2 + 10 * index)) -u /lp/bench -r 5000 -w 2 -W 60 -i 5 \
            -t "$t0" >"$work/client.$index" 2>&1 &
        outs+=("$work/client.$index")
        index=$((index + 1))
    done
    for out in "${outs[@]}"; do
        for _ in $(seq 600); do grep -q READY "$out" && break; sleep 0.1; done
    done
    "$work/publish" "$control_first" "$publish_req" "$t0" >/dev/null
    wait_clients
    cat "${outs[@]}" | grep RESULT | python3 -c '
import sys, statistics
rows = [dict(kv.split("=") for kv in line.split()[1:]) for line in sys.stdin]
print(sum(int(r["delivered"]) for r in rows), max(float(r["max_ms"]) for r in rows), statistics.median(float(r["p50_ms"]) for r in rows))'
}
wait_clients() { while pgrep -f "$work/holdclient" >/dev/null; do sleep 0.1; done; }

nchan_ports=()
for name in na nb nc; do
    start_nchan "$name"
    nchan_ports+=("$port")
done
start_instance alone 0
alone_port=$port alone_control=$control
ports=()
for name in a b c; do
    start_instance "$name" 1
    ports+=("$port")
    [[ $name == a ]] && cluster_control=$control
done

results=${RESULTS:-$repo/bench/results/cluster.md}
{
    echo "# Several instances through Redis"
    echo
    echo "\`bench/cluster/fanout.sh $n $rounds\` on $(nproc) cores, $(date -u +%Y-%m-%d), release build of commit $(git -C "$repo" rev-parse --short HEAD):"
    echo "$n held long-polls (\`subscribe = \"longpoll\"\`, one worker per instance) all on one instance"
    echo "without Redis, then spread evenly over three instances sharing one redis-server and published to"
    echo "the first; time from writing the publish to each client reading its answer. All processes share"
    echo "the same cores, so three instances gain no parallelism here. Beside them, three nginx+nchan"
    echo "instances (two workers each) keeping the channel in the same Redis (\`nchan_redis_pass\`), published to"
    echo "the first. Load average at the start: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared)."
    echo
    echo "| round | setup | delivered | last delivery | median of the clients' p50 |"
    echo "|---|---|---|---|---|"
    for r in $(seq "$rounds"); do
        control_first=$alone_control publish_req=$work/publish.req
        read -r delivered last p50 < <(round "$alone_port")
        echo "| $r | one instance | $delivered | $last ms | $p50 ms |"
        control_first=$cluster_control
        read -r delivered last p50 < <(round "${ports[@]}")
        echo "| $r | three instances + Redis | $delivered | $last ms | $p50 ms |"
        control_first=${nchan_ports[0]} publish_req=$work/nchan.req
        read -r delivered last p50 < <(round "${nchan_ports[@]}")
        echo "| $r | three nginx+nchan + Redis | $delivered | $last ms | $p50 ms |"
    done
} >"$results"
cat "$results"
[[ -z ${RESULTS:-} ]] && "$repo/bench/report.sh"
