#!/bin/bash
# TLS held-connection benchmark: N long-polls held over TLS by Holdfast and by nginx+nchan
# (one worker each, same run), and by Holdfast over plain TCP for reference. Measures
# user-space bytes per held connection and checks that one publish reaches every client.
# Usage (from the repository root): bench/holding/tls.sh        (N=10000 by default)
# Knobs: N; HOLDFAST_BINARY (default .build/release/holdfast); RESULTS (default bench/results/holding-tls.md).
# Then runs bench/report.sh, which puts the results into docs/benchmarks.md.
# nginx keeps its shipped TLS defaults (ssl_buffer_size 16k, no ssl_session_cache).
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
n=${N:-10000}
client_port=18600 control_port=18601 backend_port=18602
work=$(mktemp -d "${TMPDIR:-/tmp}/holding-tls.XXXXXX")
groups=()
# shellcheck source=bench/holding/lib.sh
source "$repo/bench/holding/lib.sh"
ulimit -n "$(ulimit -Hn)"

cleanup() {
    stop_all
    [[ -n ${watchdog:-} ]] && kill "$watchdog" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
trap 'echo "interrupted" >&2; exit 130' INT TERM
(sleep 900; echo "tls.sh: over 900s, stopping" >&2; kill -TERM $$) &
watchdog=$!

holdfast=${HOLDFAST_BINARY:-$repo/.build/release/holdfast}
[[ -x $holdfast ]] || (cd "$repo" && swift build -c release --product holdfast)
for p in gripbackend publish; do cc -O2 -Wall -Wextra -o "$work/$p" "$repo/bench/holding/$p.c"; done
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$work/key.pem" \
    -out "$work/cert.pem" -days 2 -subj /CN=localhost -addext subjectAltName=DNS:localhost 2>/dev/null

start_holdfast() {   # tls|plain
    start "$work/gripbackend.log" "$work/gripbackend" "$backend_port"
    wait_listening "$backend_port"
    local listen="listen = [\"127.0.0.1:$client_port\"]" tls=""
    if [[ $1 == tls ]]; then
        listen="listen = [\"127.0.0.1:$((client_port + 10))\"]"
        tls="[server.tls]
listen = \"127.0.0.1:$client_port\"
certificate = \"$work/cert.pem\"
private_key = \"$work/key.pem\""
    fi
    cat >"$work/holdfast.conf" <<CONF
[server]
$listen
workers = 1
$tls
[timeouts]
client_idle = "10m"
[control]
listen = "127.0.0.1:$control_port"
[[backend]]
name = "app"
address = "127.0.0.1:$backend_port"
[[route]]
path_prefix = "/"
backends = ["app"]
CONF
    start "$work/holdfast.log" "$holdfast" --config "$work/holdfast.conf" --log-level warning
    proxy_group=$started
    wait_listening "$client_port"
    wait_listening "$control_port"
    publish_port=$control_port
    printf 'POST /publish/bench HTTP/1.1\r\nHost: bench\r\nContent-Length: 7\r\nConnection: close\r\n\r\nPUBMSG\n' >"$work/publish.req"
}

start_nginx() {
    local d="$work/nginx"
    mkdir -p "$d"
    cat >"$d/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_nchan_module.so;
worker_processes 1;
worker_rlimit_nofile 20000;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 19900; }
http {
  access_log off;
  client_body_temp_path $d/body;
  proxy_temp_path $d/proxy;
  fastcgi_temp_path $d/fastcgi;
  uwsgi_temp_path $d/uwsgi;
  scgi_temp_path $d/scgi;
  nchan_max_reserved_memory 1024M;
  server {
    listen 127.0.0.1:$client_port ssl;
    listen 127.0.0.1:$control_port;
    ssl_certificate $work/cert.pem;
    ssl_certificate_key $work/key.pem;
    location = /x { nchan_subscriber longpoll; nchan_channel_id bench; nchan_subscriber_timeout 600; nchan_subscriber_first_message newest; }
    location = /pub { nchan_publisher; nchan_channel_id bench; }
  }
}
CONF
    start "$work/nginx.log" nginx -c "$d/nginx.conf" -p "$d" -g 'daemon off;'
    proxy_group=$started
    wait_listening "$client_port"
    publish_port=$control_port
    printf 'POST /pub HTTP/1.1\r\nHost: bench\r\nContent-Length: 7\r\nConnection: close\r\n\r\nPUBMSG\n' >"$work/publish.req"
}

# proxy name, transport: holds N, publishes once, prints one table row.
measure() {
    local name=$1 transport=$2
    echo "== $name ($transport) N=$n" >&2
    if [[ $name == holdfast ]]; then start_holdfast "$transport"; else start_nginx; fi
    sleep 1
    local before after client out="$work/client.out"
    before=$(group_memory "$proxy_group")
    mkfifo "$work/client.in"
    if [[ $transport == tls ]]; then
        python3 "$repo/bench/holding/tlsholdclient.py" "$client_port" "$n" "$work/cert.pem" /x <"$work/client.in" >"$out" &
    else
        python3 "$repo/bench/holding/tlsholdclient.py" "$client_port" "$n" - /x <"$work/client.in" >"$out" &
    fi
    client=$!
    exec 3>"$work/client.in"
    for _ in $(seq 1800); do grep -qs READY "$out" && break; kill -0 "$client" 2>/dev/null || break; sleep 0.1; done
    grep -qs READY "$out" || { echo "client never got ready" >&2; return 1; }
    sleep 7   # a worker trims its heap every 5 s
    after=$(group_memory "$proxy_group")
    "$work/publish" "$publish_port" "$work/publish.req" "$work/t0" >/dev/null
    echo count >&3
    for _ in $(seq 300); do grep -qs DELIVERED "$out" && break; sleep 0.1; done
    exec 3>&-
    wait "$client" || true
    rm -f "$work/client.in"
    local pss=$(( ($(cut -d' ' -f1 <<<"$after") - $(cut -d' ' -f1 <<<"$before")) * 1024 / n ))
    local rss=$(( ($(cut -d' ' -f2 <<<"$after") - $(cut -d' ' -f2 <<<"$before")) * 1024 / n ))
    echo "| $name | $transport | $n | $pss [$rss] | $(sed -n 's/^DELIVERED //p' "$out") |"
    stop_all
}

rows=$(measure holdfast tls; measure nginx tls; measure holdfast plain)
results=${RESULTS:-$repo/bench/results/holding-tls.md}
cat >"$results" <<REPORT
# TLS held-connection benchmark

Generated by \`N=$n${HOLDFAST_BINARY:+ HOLDFAST_BINARY=$HOLDFAST_BINARY} bench/holding/tls.sh\` on $(date -u +%Y-%m-%d) (commit $(git -C "$repo" rev-parse --short HEAD)).

Machine: $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), kernel $(uname -r), $(openssl version | cut -d' ' -f1-2), $(nginx -v 2>&1 | cut -d' ' -f3); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared with other builds).

N clients (Python \`ssl\`, one process) each complete a full TLS 1.3 handshake (ECDSA P-256 certificate) and send one long-poll, held by Holdfast (one worker; \`gripbackend\` answers \`Grip-Hold: response\`) or by nginx+nchan (one worker, \`nchan_subscriber longpoll\`, TLS settings as shipped: \`ssl_buffer_size 16k\`, no \`ssl_session_cache\`). Bytes per held connection = (sum of Pss over the proxy's processes after holding N − before) / N, user space only; Rss in brackets. Delivered = clients that received the one message published afterwards. Holdfast over plain TCP, same run, for reference.

| proxy | transport | held | bytes/held (Pss [Rss]) | delivered |
|---|---|---|---|---|
$rows
REPORT
echo "wrote $results" >&2
"$repo/bench/report.sh"
