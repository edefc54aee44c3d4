#!/usr/bin/env bash
# Publish throughput for a chat-like load: CHANNELS channels with one held SSE subscriber each
# (Holdfast: a built-in `subscribe = "sse"` route; nginx+nchan: its eventsource subscriber), and a
# publisher sending POSTs to random channels as fast as it can for DURATION seconds over CONNS
# keep-alive connections, DEPTH requests pipelined on each (Holdfast: `POST /publish/CHANNEL` on
# the control listener; nchan: `POST /pub?id=CHANNEL`). The subscriber client counts what each
# channel received and compares it with what the publisher had accepted (2xx) for that channel:
# a rate counts only when lost = accepted − delivered is 0.
#
# Usage (from anywhere): bench/publish/run.sh [--redis] [--quick]
#   default (issue 12): everything in memory, Holdfast and nchan with 1 and with 2 workers;
#     writes bench/results/publish.md.
#   --redis (issue 11): the same load through Redis: Holdfast with `[cluster] redis` (one
#     instance, then three with subscribers and publishes spread over them) beside nginx+nchan
#     with `nchan_redis_pass` (one, then three instances), and both without Redis, one worker
#     each; writes bench/results/publish-redis.md.
#   --quick: 2,000 channels, 3 s, one round, results to $TMPDIR only.
# Knobs (environment): CHANNELS (10000), DURATION (10), CONNS (8), DEPTH (16), ROUNDS (3),
#   RATE (offered publishes/s over all connections; 0 = as fast as possible), SETUPS (e.g.
#   "holdfast:1 nchan:1"), HOLDFAST_BINARY (default .build/release/holdfast), PORT_BASE (19400:
#   ports PORT_BASE..PORT_BASE+49 are used), RESULTS.
# Builds nothing of Holdfast: run `swift build -c release --product holdfast` first.
# Every process is started in its own process group and stopped by that id; loopback only.
# Anything from the results file's "## Where it goes" line on is kept when it is rewritten.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
mode=memory quick=0
for arg in "$@"; do
    case $arg in
    --redis) mode=redis ;;
    --quick) quick=1 ;;
    *) echo "usage: $0 [--redis] [--quick]" >&2; exit 2 ;;
    esac
done
if [[ $mode == memory ]]; then
    setups="holdfast:1 nchan:1 holdfast:2 nchan:2" results="$repo/bench/results/publish.md"
else
    setups="holdfast:1 nchan:1 holdfast-redis:1 nchan-redis:1 holdfast-redis3:1 nchan-redis3:1"
    results="$repo/bench/results/publish-redis.md"
fi
channels=10000 duration=10 rounds=3
if ((quick)); then
    channels=2000 duration=3 rounds=1 results="${TMPDIR:-/tmp}/$(basename "$results" .md)-quick.md"
fi
channels=${CHANNELS:-$channels} duration=${DURATION:-$duration} rounds=${ROUNDS:-$rounds}
conns=${CONNS:-8} depth=${DEPTH:-16} rate=${RATE:-0}
setups=${SETUPS:-$setups} results=${RESULTS:-$results}
holdfast=${HOLDFAST_BINARY:-$repo/.build/release/holdfast}
[[ -x $holdfast ]] || { echo "expected a release build at $holdfast (got none): swift build -c release --product holdfast" >&2; exit 2; }

# Ports: Holdfast instance k listens on base+10+2k (control base+11+2k), nchan instance k on
# base+30+k, redis-server on base+40.
port_base=${PORT_BASE:-19400}
redis_port=$((port_base + 40))

work=$(mktemp -d "${TMPDIR:-/tmp}/publish-bench.XXXXXX")
groups=()                            # process-group ids of everything started here
# shellcheck source=../lib/processes.sh
source "$repo/bench/lib/processes.sh"
# shellcheck source=../lib/stats.sh
source "$repo/bench/lib/stats.sh"
# shellcheck source=../lib/nchan.sh
source "$repo/bench/lib/nchan.sh"

ulimit -n "$(ulimit -Hn)"
# Bounded: per measurement the run itself, up to 10 s of draining, setup and teardown.
bounded_run $(( rounds * $(wc -w <<<"$setups") * (duration + 45) + 60 ))

for p in subscribers publisher; do cc -O2 -Wall -Wextra -o "$work/$p" "$repo/bench/publish/$p.c"; done
ticks_per_s=$(getconf CLK_TCK)

port_free() {
    ! ss -Htln "( sport = :$1 )" | grep -q . || { echo "expected port $1 to be free (someone listens on it)" >&2; return 1; }
}

# --- the setups: each sets sub_ports and pub_ports (comma lists), sub_path and pub_path (printf
# formats of the channel index) and proxy_groups (the process groups whose CPU time is the proxy's)

start_redis() {
    port_free "$redis_port"
    start "$work/redis.log" redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no
    redis_group=$started
    wait_listening "$redis_port"
}

start_holdfast() {   # instance index, workers, redis (0|1)
    local k=$1 port=$((port_base + 10 + 2 * $1)) control=$((port_base + 11 + 2 * $1)) conf="$work/holdfast.$1.conf"
    port_free "$port" && port_free "$control"
    cat >"$conf" <<EOF
[server]
listen = ["127.0.0.1:$port"]
workers = $2
[timeouts]
client_idle = "10m"
[control]
listen = "127.0.0.1:$control"
[[route]]
path_prefix = "/sub/"
subscribe = "sse"
EOF
    (($3)) && printf '[cluster]\nredis = "redis://127.0.0.1:%s"\n' "$redis_port" >>"$conf"
    start "$work/holdfast.$k.log" "$holdfast" --config "$conf" --log-level warning
    proxy_groups+=("$started")
    wait_listening "$port"
    wait_listening "$control"
    sub_ports+="${sub_ports:+,}$port" pub_ports+="${pub_ports:+,}$control"
    sub_path=/sub/ch%ld pub_path=/publish/ch%ld
}

start_nchan() {   # instance index, workers, redis (0|1)
    local k=$1 port=$((port_base + 30 + $1)) d="$work/nginx.$1" redis_upstream="" redis_pass=""
    port_free "$port"
    mkdir -p "$d"
    if (($3)); then
        redis_upstream="upstream redis { nchan_redis_server \"redis://127.0.0.1:$redis_port\"; }"
        redis_pass="nchan_redis_pass redis;"
    fi
    # keepalive_requests: nginx would close a publisher's connection after 1,000 requests.
    { nchan_config_head "$2" "$d"; cat <<EOF
  $redis_upstream
  server {
    listen 127.0.0.1:$port reuseport;
    keepalive_requests 100000000;
    location ~ ^/sub/(.+)$ { nchan_subscriber eventsource; nchan_channel_id \$1; $redis_pass }
    location = /pub { nchan_publisher; nchan_channel_id \$arg_id; $redis_pass }
  }
}
EOF
    } >"$d/nginx.conf"
    start "$work/nginx.$k.log" nginx -c "$d/nginx.conf" -p "$d" -g 'daemon off;'
    proxy_groups+=("$started")
    wait_listening "$port"
    sub_ports+="${sub_ports:+,}$port" pub_ports+="${pub_ports:+,}$port"
    sub_path=/sub/ch%ld pub_path='/pub?id=ch%ld'
}

# setup NAME WORKERS: holdfast, nchan, holdfast-redis, nchan-redis, holdfast-redis3, nchan-redis3
setup() {
    local proxy=${1%%-*} instances=1 redis=0 k
    sub_ports="" pub_ports="" proxy_groups=() redis_group=""
    [[ $1 == *-redis* ]] && redis=1
    [[ $1 == *-redis3 ]] && instances=3
    ((redis)) && start_redis
    for ((k = 0; k < instances; k++)); do "start_$proxy" "$k" "$2" "$redis"; done
}

cpu_ticks() {   # groups...: summed over them
    local g total=0
    for g in "$@"; do total=$((total + $(group_cpu_ticks "$g"))); done
    echo "$total"
}

field() {   # name, "RESULT k=v ...": the value, "?" if missing
    local v
    v=$(sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<<"$2")
    echo "${v:-?}"
}

percent() { echo $(( $1 * 100 / ($2 > 0 ? $2 : 1) )); }   # ticks, wall ticks: % of one core
per_publish() {   # ticks, publishes accepted: CPU µs per publish
    awk -v t="$1" -v n="$2" -v hz="$ticks_per_s" 'BEGIN {if (n + 0 > 0) printf "%.0f", t * 1e6 / hz / n; else print "?"}'
}

# One measurement: appends a row to $work/runs.tsv.
measure() {   # setup, workers, round
    local name=$1 workers=$2 round=$3 out="$work/subscribers.out" counts="$work/counts"
    echo "== round $round: $name, $workers worker(s)" >&2
    setup "$name" "$workers"
    rm -f "$out" "$counts"
    start "$out" "$work/subscribers" -p "$sub_ports" -n "$channels" -u "$sub_path" -c "$counts" -r 10000 -i 2 -W 30
    local subscriber=$started
    for _ in $(seq 600); do grep -qs READY "$out" && break; sleep 0.1; done
    grep -s READY "$out" >&2 || { echo "subscribers never got ready: $(cat "$out")" >&2; stop_all; return 1; }
    sleep 1   # let the proxies settle their subscriptions (nchan and Redis confirm asynchronously)
    local proxy0 redis0=0 sub0 t0 pub proxy1 redis1=0 sub1 t1
    proxy0=$(cpu_ticks "${proxy_groups[@]}") sub0=$(cpu_ticks "$subscriber") t0=$(date +%s%N)
    [[ -n $redis_group ]] && redis0=$(cpu_ticks "$redis_group")
    pub=$(timeout $((duration + 30)) "$work/publisher" -p "$pub_ports" -n "$channels" -u "$pub_path" -o "$counts" \
        -c "$conns" -d "$depth" -t "$duration" -r "$rate" | grep RESULT) || pub="RESULT failed"
    proxy1=$(cpu_ticks "${proxy_groups[@]}") sub1=$(cpu_ticks "$subscriber") t1=$(date +%s%N)
    [[ -n $redis_group ]] && redis1=$(cpu_ticks "$redis_group")
    kill -USR1 "$subscriber"
    for _ in $(seq 400); do grep -qs RESULT "$out" && break; sleep 0.1; done
    local sub
    sub=$(grep RESULT "$out" || echo "RESULT failed")
    echo "$pub" >&2
    echo "$sub" >&2
    local wall_ticks=$(( (t1 - t0) * ticks_per_s / 1000000000 )) accepted redis_pct=- redis_cost=-
    accepted=$(field accepted "$pub")
    if [[ -n $redis_group ]]; then
        redis_pct="$(percent $((redis1 - redis0)) "$wall_ticks") %" redis_cost=$(per_publish $((redis1 - redis0)) "$accepted")
    fi
    # One row, the columns in the order write_results reads them.
    local row=("$round" "$name" "$workers"
        "$(field sent "$pub")" "$accepted" "$(field rejected "$pub")" "$(field unanswered "$pub")"
        "$(field accepted_per_s "$pub")" "$(field delivered "$sub")" "$(field lost "$sub")" "$(field closed "$sub")"
        "$(percent $((proxy1 - proxy0)) "$wall_ticks") %" "$redis_pct"
        "$(awk -v c="$(field cpu_s "$pub")" -v w="$(( (t1 - t0) / 1000000 ))" 'BEGIN {printf "%d %%", c * 100000 / w}')"
        "$(percent $((sub1 - sub0)) "$wall_ticks") %" "$(field channels_short "$sub")"
        "$(per_publish $((proxy1 - proxy0)) "$accepted")" "$redis_cost")
    (IFS=$'\t'; echo "${row[*]}") >>"$work/runs.tsv"
    stop_all
}

describe() {   # a setup's name in the tables
    case $1 in
    holdfast) echo "Holdfast" ;;
    nchan) echo "nginx+nchan" ;;
    holdfast-redis) echo "Holdfast + Redis" ;;
    nchan-redis) echo "nginx+nchan + Redis" ;;
    holdfast-redis3) echo "3 × Holdfast + Redis" ;;
    nchan-redis3) echo "3 × nginx+nchan + Redis" ;;
    esac
}

# Per setup × workers: the range and median of accepted/s over the rounds where everything was
# delivered, the lost total, and Holdfast's rate over nchan's in the same round (same workers).
summary_rows() {
    awk -F'\t' "$stats_awk"'
        {
            key = $2 "\t" $3
            if (!(key in seen)) { seen[key] = 1; order[++keys] = key }
            ok = ($10 == 0 && $6 == 0 && $7 == 0 && $11 == 0)
            rounds[key]++
            if (ok) { rates[key] = rates[key] " " $8; cost[key] = cost[key] " " $17; good[key]++ } else bad[key]++
            lost[key] += $10; rate[$1, key] = ok ? $8 : ""
            last_round = $1 > last_round ? $1 : last_round
        }
        END {
            for (i = 1; i <= keys; i++) {
                split(order[i], k, "\t")
                peer = k[1]; sub(/^holdfast/, "nchan", peer); peer = peer "\t" k[2]
                ratios = ""
                if (peer != order[i] && (peer in seen))
                    for (r = 1; r <= last_round; r++)
                        if (rate[r, order[i]] != "" && rate[r, peer] + 0 > 0)
                            ratios = ratios " " sprintf("%.2f", rate[r, order[i]] / rate[r, peer])
                printf "%s\t%s\t%s\t%s\t%d/%d\t%d\t%s\t%s\t%s\n", k[1], k[2], range(rates[order[i]]), median(rates[order[i]]),
                    good[order[i]], rounds[order[i]], lost[order[i]], median(cost[order[i]]),
                    ratios == "" ? "-" : range(ratios), ratios == "" ? "-" : median(ratios) "×"
            }
        }' "$work/runs.tsv"
}

write_results() {
    local kept="" knobs="" flags=""
    [[ -f $results ]] && kept=$(sed -n '/^## Where it goes/,$p' "$results")
    local knob
    for knob in CHANNELS DURATION CONNS DEPTH ROUNDS RATE SETUPS HOLDFAST_BINARY; do
        [[ -n ${!knob:-} ]] && knobs+="$knob=${!knob} "
    done
    [[ $mode == redis ]] && flags+=" --redis"
    ((quick)) && flags+=" --quick"
    {
        if [[ $mode == memory ]]; then echo "# Publish throughput: chat-like load"; else echo "# Publish throughput through Redis"; fi
        echo
        echo "Generated by \`${knobs}bench/publish/run.sh$flags\` on $(date -u '+%Y-%m-%d %H:%M') UTC (commit $(git -C "$repo" rev-parse --short HEAD))."
        echo
        echo "Machine: $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), kernel $(uname -r), $(nginx -v 2>&1 | sed 's/.*: //'), libnginx-mod-nchan $(dpkg-query -W -f '${Version}' libnginx-mod-nchan 2>/dev/null || echo '?'), redis-server $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p'); load average at the start: $load_start, at the end: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared with other builds and benchmarks). Open-file limit per process: $(ulimit -n)."
        echo
        echo "## Setup"
        echo
        echo "- $channels channels \`ch0\`…, one SSE subscriber each, held from one client process (\`bench/publish/subscribers.c\`, epoll) for the whole run: Holdfast \`GET /sub/chN\` on a \`subscribe = \"sse\"\` route; nginx+nchan \`nchan_subscriber eventsource\`, \`nchan_channel_id \$1\`. Both keep their default history (Holdfast 100 messages per channel for 5 min, in Redis when clustered; nchan 10 messages for 1 h)."
        echo "- Publisher (\`bench/publish/publisher.c\`): $conns keep-alive connections, $depth requests pipelined on each, each a 7-byte body \`PUBMSG#\` to a random channel, $( [[ $rate == 0 ]] && echo "as fast as the answers come" || echo "at $rate/s offered") for $duration s, then the answers still due are awaited. Holdfast: \`POST /publish/chN\` on the control listener; nchan: \`POST /pub?id=chN\` on its server (\`keepalive_requests\` raised so nginx does not close them)."
        echo "- Accepted = 2xx answers; delivered = \`#\` bytes the subscribers read after their response heads; lost = accepted − delivered, also compared channel by channel. A round counts only with lost = 0, nothing rejected, nothing unanswered and no subscriber closed."
        [[ $mode == redis ]] && echo "- Redis: one \`redis-server\` (no persistence), fresh for each measurement. Holdfast \`[cluster] redis\`; nchan \`nchan_redis_pass\` in both locations. With three instances, channel i subscribes on instance i mod 3 and the publisher's connections are spread over the three, so most publishes reach their subscriber through Redis. All of it shares the same 2 cores: three instances add no parallelism here."
        echo "- Every measurement starts the proxy (and Redis) afresh; setups alternate within a round; $rounds round(s). CPU = % of one core over the publishing window, from \`/proc/PID/stat\` (proxy: all its processes; the publisher's from \`getrusage\`); µs per publish = that CPU time ÷ publishes accepted. On a machine this loaded the proxies get only a share of the 2 cores, so CPU per publish is the steadier figure of what each side costs."
        echo
        echo "## Publishes per second with every message delivered"
        echo
        echo "| setup | workers | accepted/s (range over good rounds) | median | good rounds | lost (sum) | proxy CPU µs per publish (median) | ÷ nchan, same round (range) | median ratio |"
        echo "|---|---|---|---|---|---|---|---|---|"
        local name workers range median good lost cost ratios mratio
        while IFS=$'\t' read -r name workers range median good lost cost ratios mratio; do
            echo "| $(describe "$name") | $workers | $range | $median | $good | $lost | $cost | $ratios | $mratio |"
        done < <(summary_rows)
        echo
        echo "## Every run"
        echo
        echo "| round | setup | workers | sent | accepted | rejected | unanswered | accepted/s | delivered | lost | channels short | subscribers closed | CPU proxy | CPU redis | CPU publisher | CPU subscribers | proxy µs/publish | redis µs/publish |"
        echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
        local r s w sent acc rej un aps del lo cl cp cr cpub csub short pus rus
        while IFS=$'\t' read -r r s w sent acc rej un aps del lo cl cp cr cpub csub short pus rus; do
            echo "| $r | $(describe "$s") | $w | $sent | $acc | $rej | $un | $aps | $del | $lo | $short | $cl | $cp | $cr | $cpub | $csub | $pus | $rus |"
        done <"$work/runs.tsv"
        [[ -n $kept ]] && echo && echo "$kept"
    } >"$results"
    echo "wrote $results" >&2
    if [[ $results == "$repo/bench/results/"*.md ]]; then "$repo/bench/report.sh"; fi
}

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$work/runs.tsv"
for ((round = 1; round <= rounds; round++)); do
    for s in $setups; do
        measure "${s%%:*}" "${s##*:}" "$round" || { echo "failed: $s" >&2; stop_all; }
    done
done
write_results
