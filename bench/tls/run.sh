#!/bin/bash
# TLS benchmark: Holdfast and nginx+nchan (TLS as Debian ships it: its ssl_protocols, no ssl_buffer_size or
# ssl_session_cache set) each terminate TLS and hold N long-polls, one worker each; measures
# user-space bytes per held TLS connection, delivery of one publish to all of them, and
# handshakes per second, full (TLS 1.3) and resumed (TLS 1.2 session tickets).
# Usage (from the repository root): bench/tls/run.sh [--quick]
#   --quick: N = 1,000, one round, results to $TMPDIR only.
# Knobs (environment): HOLDFAST_BINARY (default .build/release/holdfast); N; ROUNDS; RESULTS;
#   SERVERS (default "holdfast nginx").
# Writes bench/results/tls.md. Loopback only; every process is stopped by its process group.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
quick=0
[[ ${1:-} == --quick ]] && quick=1
if ((quick)); then
    n=1000 rounds=1 handshake_seconds=2 results="${TMPDIR:-/tmp}/tls-quick.md"
else
    n=10000 rounds=${ROUNDS:-3} handshake_seconds=5 results="$repo/bench/results/tls.md"
fi
n=${N:-$n}
servers=${SERVERS:-holdfast nginx}
results=${RESULTS:-$results}
tls_port=18600 control_port=18601
work=$(mktemp -d "${TMPDIR:-/tmp}/tls.XXXXXX")
groups=()
# shellcheck source=../lib/processes.sh
source "$repo/bench/lib/processes.sh"
# shellcheck source=../lib/nchan.sh
source "$repo/bench/lib/nchan.sh"

ulimit -n "$(ulimit -Hn)"

bounded_run 900

build() {
    cc -O2 -Wall -Wextra -o "$work/tlsclient" "$repo/bench/tls/tlsclient.c" -lssl -lcrypto
    cc -O2 -Wall -Wextra -o "$work/publish" "$repo/bench/holding/publish.c"
    holdfast=${HOLDFAST_BINARY:-$repo/.build/release/holdfast}
    [[ $servers != *holdfast* || -x $holdfast ]] || (cd "$repo" && swift build -c release --product holdfast)
    # One ECDSA P-256 certificate for both servers: what a modern site deploys.
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=bench.test \
        -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
}

request_file() {   # name, then the request bytes (printf format)
    local f="$work/$1.req"; shift
    # shellcheck disable=SC2059
    printf "$@" >"$f"
    echo "$f"
}

start_holdfast() {
    cat >"$work/holdfast.conf" <<EOF
[server]
listen = ["127.0.0.1:$((tls_port + 10))"]
workers = 1
[server.tls]
listen = "127.0.0.1:$tls_port"
certificate = "$work/cert.pem"
private_key = "$work/key.pem"
[timeouts]
hold = "10m"
client_idle = "10m"
[control]
listen = "127.0.0.1:$control_port"
[[route]]
path_prefix = "/sub/"
subscribe = "longpoll"
EOF
    start "$work/holdfast.log" "$holdfast" --config "$work/holdfast.conf" --log-level warning
    server_group=$started
    wait_listening "$tls_port" && wait_listening "$control_port" || { echo "holdfast: $(cat "$work/holdfast.log")" >&2; return 1; }
    publish_port=$control_port
    publish_req=$(request_file holdfast 'POST /publish/bench HTTP/1.1\r\nHost: bench\r\nContent-Length: 7\r\nConnection: close\r\n\r\nPUBMSG\n')
}

start_nginx() {
    local d="$work/nginx"
    mkdir -p "$d"
    { nchan_config_head 1 "$d"; cat <<EOF
  server {
    listen 127.0.0.1:$tls_port ssl;
    # Debian's nginx.conf: without these lines nginx 1.22 offers TLS 1.2 at most.
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers on;
    ssl_certificate $work/cert.pem;
    ssl_certificate_key $work/key.pem;
    location = /sub/bench { nchan_subscriber longpoll; nchan_channel_id bench; nchan_subscriber_timeout 600; nchan_subscriber_first_message newest; }
  }
  server {
    listen 127.0.0.1:$control_port;
    location = /pub { nchan_publisher; nchan_channel_id bench; }
  }
}
EOF
    } >"$d/nginx.conf"
    start "$work/nginx.log" nginx -c "$d/nginx.conf" -p "$d" -g 'daemon off;'
    server_group=$started
    wait_listening "$tls_port" && wait_listening "$control_port" || { echo "nginx: $(cat "$work/nginx.log")" >&2; return 1; }
    publish_port=$control_port
    publish_req=$(request_file nginx 'POST /pub HTTP/1.1\r\nHost: bench\r\nContent-Length: 7\r\nConnection: close\r\n\r\nPUBMSG\n')
}

field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<<"$2"; }

# Holds N TLS long-polls on `server`, publishes once; appends "server pss rss held delivered".
hold() {
    local server=$1 out="$work/hold.out" before after
    echo "== hold $server N=$n" >&2
    "start_$server" || return 1
    sleep 1
    before=$(group_memory "$server_group")
    timeout 300 "$work/tlsclient" -H -p "$tls_port" -n "$n" -r 2000 -u /sub/bench -w 2 -W 60 >"$out" 2>"$work/client.err" &
    local client=$!
    for _ in $(seq 1500); do grep -qs READY "$out" && break; kill -0 "$client" 2>/dev/null || break; sleep 0.2; done
    grep -q READY "$out" || { echo "client never got ready: $(cat "$work/client.err")" >&2; stop_all; return 1; }
    sleep 1
    after=$(group_memory "$server_group")
    "$work/publish" "$publish_port" "$publish_req" "$work/t0" >/dev/null
    wait "$client" || true
    cat "$out" >&2
    local pss_b rss_b pss_a rss_a
    read -r pss_b rss_b <<<"$before"
    read -r pss_a rss_a <<<"$after"
    echo -e "$server\t$(( (pss_a - pss_b) * 1024 / n ))\t$(( (rss_a - rss_b) * 1024 / n ))\t$(field held "$(grep READY "$out")")\t$(field delivered "$(grep RESULT "$out")")" >>"$work/hold.tsv"
    stop_all
}

# Handshakes per second on `server`, full then resumed; appends "server full resumed reused%".
handshakes() {
    local server=$1 full resumed
    echo "== handshakes $server" >&2
    "start_$server" || return 1
    full=$("$work/tlsclient" -K -p "$tls_port" -c 32 -T "$handshake_seconds")
    resumed=$("$work/tlsclient" -K -R -p "$tls_port" -c 32 -T "$handshake_seconds")
    echo "$full / $resumed" >&2
    local done reused
    done=$(field done "$resumed") reused=$(field reused "$resumed")
    echo -e "$server\t$(field per_s "$full")\t$(field per_s "$resumed")\t$(( done > 0 ? reused * 100 / done : 0 ))\t$(( $(field failed "$full") + $(field failed "$resumed") ))" >>"$work/handshakes.tsv"
    stop_all
}

# "median lowest highest" of column `col` of `file` over the rows of `server`; nothing if none.
stats() {   # server file col
    awk -F'\t' -v s="$1" -v c="$3" '$1 == s { v[++k] = $c + 0 }
        END {
            for (i = 2; i <= k; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
            if (k) print v[int((k + 1) / 2)], v[1], v[k]
        }' "$2"
}

summary() {   # server file col -> "median (lowest–highest)"
    local median lowest highest
    read -r median lowest highest <<<"$(stats "$@")"
    [[ -n $median ]] && echo "$median ($lowest–$highest)" || echo "n/a"
}

median() {   # server file col
    local line
    line=$(stats "$@")
    echo "${line%% *}"
}

ratio() {   # file col: median for holdfast / median for nginx
    awk -v h="$(median holdfast "$1" "$2")" -v n="$(median nginx "$1" "$2")" 'BEGIN { if (n + 0 > 0 && h + 0 > 0) printf "%.2f", h / n; else printf "n/a" }'
}

write_results() {
    {
        echo "# TLS benchmark"
        echo
        echo "Generated by \`$( [[ -n ${N:-} ]] && echo "N=$N ")$( [[ -n ${ROUNDS:-} ]] && echo "ROUNDS=$ROUNDS ")bench/tls/run.sh$( ((quick)) && echo ' --quick')\` on $(date -u +%Y-%m-%d) (commit $(git -C "$repo" rev-parse --short HEAD))."
        echo
        echo "Machine: $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(free -g | awk '/^Mem:/ {print $2}') GiB memory, kernel $(uname -r), $(openssl version); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared)."
        echo "Both servers: one worker process, the same ECDSA P-256 certificate; nginx $(nginx -v 2>&1 | sed 's/.*nginx\///') with nchan holding the long-polls, TLS settings as Debian ships them (\`ssl_protocols\` and \`ssl_prefer_server_ciphers on\` from its nginx.conf, so TLS 1.3 is offered; \`ssl_buffer_size\` 16k, no \`ssl_session_cache\`, session tickets on)."
        echo "Rounds: $rounds, alternating the servers; each cell is the median over the rounds with the range in brackets."
        echo
        echo "## Held TLS long-polls"
        echo
        echo "N = $n connections opened at 2,000/s by \`bench/tls/tlsclient.c\` (TLS 1.3), each sending one long-poll that the server holds. Bytes per held connection = (sum of Pss over the server's processes after holding − before) / N, user space only; Rss beside it. Delivered = connections that then received the one published message."
        echo
        echo "| server | bytes/held (Pss) | bytes/held (Rss) | held | delivered |"
        echo "|---|---|---|---|---|"
        local server
        for server in $servers; do
            echo "| $server | $(summary "$server" "$work/hold.tsv" 2) | $(summary "$server" "$work/hold.tsv" 3) | $(summary "$server" "$work/hold.tsv" 4) | $(summary "$server" "$work/hold.tsv" 5) |"
        done
        echo
        echo "Holdfast ÷ nginx, bytes per held connection (Rss medians): $(ratio "$work/hold.tsv" 3)."
        echo
        echo "## Handshakes per second"
        echo
        echo "32 handshakes in flight for ${handshake_seconds}s, each on a new connection closed once its handshake is done. Full: TLS 1.3, no session offered. Resumed: TLS 1.2, every connection offering the session ticket of one first connection; reused = share of them the server resumed."
        echo
        echo "| server | full/s | resumed/s | reused % | failed |"
        echo "|---|---|---|---|---|"
        for server in $servers; do
            echo "| $server | $(summary "$server" "$work/handshakes.tsv" 2) | $(summary "$server" "$work/handshakes.tsv" 3) | $(summary "$server" "$work/handshakes.tsv" 4) | $(summary "$server" "$work/handshakes.tsv" 5) |"
        done
        echo
        echo "Holdfast ÷ nginx (medians): full $(ratio "$work/handshakes.tsv" 2), resumed $(ratio "$work/handshakes.tsv" 3)."
        echo
        echo "## Targets"
        echo
        echo "- ≤ 4 KB of user space per held TLS connection, and below nginx"
        echo "- handshakes/s ≥ 0.9 × nginx"
    } >"$results"
    echo "wrote $results" >&2
    if [[ $results == "$repo/bench/results/tls.md" ]]; then "$repo/bench/report.sh"; fi
}

build
: >"$work/hold.tsv"
: >"$work/handshakes.tsv"
for ((round = 1; round <= rounds; round++)); do
    for server in $servers; do
        hold "$server" || { echo "failed: hold $server" >&2; stop_all; }
        handshakes "$server" || { echo "failed: handshakes $server" >&2; stop_all; }
    done
done
write_results
