# Process and measurement helpers shared by the holding benchmarks (sourced; needs \$groups, an array).

# A process and all its descendants, even those that moved to another process group.
descendants() {
    local pid
    echo "$1"
    for pid in $(pgrep -P "$1"); do descendants "$pid"; done
}

stop_group() {
    local pgid=$1 pids pid
    pids=$(descendants "$pgid")
    kill -TERM -- "-$pgid" 2>/dev/null || true
    for _ in $(seq 50); do
        kill -0 -- "-$pgid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL -- "-$pgid" 2>/dev/null || true
    for pid in $pids; do kill -KILL "$pid" 2>/dev/null || true; done
}

# Starts a command in a new process group (setsid execs in place, so $! is the group id).
start() {
    local log=$1; shift
    setsid "$@" >"$log" 2>&1 </dev/null &
    started=$!
    groups+=("$started")
}

stop_all() {
    local pgid
    for pgid in "${groups[@]}"; do stop_group "$pgid"; done
    groups=()
}

wait_listening() {
    local port=$1
    for _ in $(seq 100); do
        ss -Htln "( sport = :$port )" | grep -q . && return 0
        sleep 0.1
    done
    echo "expected a listener on 127.0.0.1:$port within 10s, got none" >&2
    return 1
}

# Sum of Pss and Rss (kB) over a process and its descendants: "pss rss".
group_memory() {
    local pid pss=0 rss=0 p r
    for pid in $(descendants "$1"); do
        p=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)
        r=$(awk '/^Rss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)
        pss=$((pss + ${p:-0})) rss=$((rss + ${r:-0}))
    done
    echo "$pss $rss"
}

# Holdfast's configuration for the benchmarks, on stdout: $1 workers, $2 the port of server.listen,
# then any further lines of [server] (a [server.tls] table). Uses $control_port and $backend_port.
holdfast_config() {
    cat <<EOF
[server]
listen = ["127.0.0.1:$2"]
workers = $1
${3:-}
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
EOF
}

# nginx+nchan's configuration, on stdout: $1 its directory, $2 workers, then the server's listen
# (and TLS) lines. /x holds a long-poll on channel "bench", /pub publishes to it.
nchan_config() {
    cat <<EOF
load_module /usr/lib/nginx/modules/ngx_nchan_module.so;
worker_processes $2;
worker_rlimit_nofile 20000;
pid $1/nginx.pid;
error_log $1/error.log warn;
events { worker_connections 19900; }
http {
  access_log off;
  client_body_temp_path $1/body;
  proxy_temp_path $1/proxy;
  fastcgi_temp_path $1/fastcgi;
  uwsgi_temp_path $1/uwsgi;
  scgi_temp_path $1/scgi;
  nchan_max_reserved_memory 1024M;
  server {
$3
    location = /x { nchan_subscriber longpoll; nchan_channel_id bench; nchan_subscriber_timeout 600; nchan_subscriber_first_message newest; }
    location = /pub { nchan_publisher; nchan_channel_id bench; }
  }
}
EOF
}
