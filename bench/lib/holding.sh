# Holdfast in front of bench/holding's GRIP backend, for the held-connection benchmarks (sourced).
# The caller sets `work`, `groups` (bench/lib/processes.sh) and `repo`; ports come from
# HOLDING_PORT_BASE (default 18500): client, control, backend, trigger = base .. base + 3, so
# runs beside other benchmarks can move out of their way.
port_base=${HOLDING_PORT_BASE:-18500}
client_port=$port_base control_port=$((port_base + 1)) backend_port=$((port_base + 2)) trigger_port=$((port_base + 3))
backend_mode=() websocket_config=""   # run.sh --websocket sets them
server_config="" client_idle=10m timeouts_config=""   # scale.sh: max_connections, timeouts past its ramp

build_holding_tools() {   # the C clients and servers into $work; `holdfast` = the binary under test
    local p
    for p in gripbackend holdclient rawfloor publish; do
        cc -O2 -Wall -Wextra -o "$work/$p" "$repo/bench/holding/$p.c"
    done
    holdfast=${HOLDFAST_BINARY:-$repo/.build/release/holdfast}
    [[ -x $holdfast ]] || (cd "$repo" && swift build -c release --product holdfast)
}

request_file() {   # name, then the request bytes (printf format)
    local f="$work/$1.req"; shift
    # shellcheck disable=SC2059
    printf "$@" >"$f"
    echo "$f"
}

start_backend() {
    start "$work/gripbackend.log" "$work/gripbackend" "$backend_port" "${backend_mode[@]}"
    wait_listening "$backend_port"
}

# Sets proxy_group (stop it with stop_all), publish_port, publish_req, has_backend.
start_holdfast() {   # workers
    start_backend
    cat >"$work/holdfast.conf" <<CONF
[server]
listen = ["127.0.0.1:$client_port"]
workers = $1$server_config
[timeouts]
client_idle = "$client_idle"$timeouts_config$websocket_config
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
    publish_port=$control_port has_backend=1
    publish_req=$(request_file holdfast 'POST /publish/bench HTTP/1.1\r\nHost: bench\r\nContent-Length: 7\r\nConnection: close\r\n\r\nPUBMSG\n')
}
