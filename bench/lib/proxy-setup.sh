# The backend of the proxied-request benchmarks (sourced): nginx, one process, answering
# `return 200 "hello\n"` from memory, keep-alive kept for an hour.
# Writes DIR/nginx.conf; start it with: nginx -e DIR/error.log -p DIR -c DIR/nginx.conf
write_nginx_backend_config() {  # dir, port, worker_connections
    mkdir -p "$1"
    cat >"$1/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
error_log $1/error.log warn;
pid $1/nginx.pid;
events { worker_connections $3; }
http {
    access_log off;
    keepalive_requests 10000000;
    keepalive_timeout 3600s;
    client_body_temp_path $1;
    proxy_temp_path $1;
    fastcgi_temp_path $1;
    uwsgi_temp_path $1;
    scgi_temp_path $1;
    server {
        listen 127.0.0.1:$2;
        location / { return 200 "hello\n"; }
    }
}
EOF
}

# Holdfast in front of that backend: one route, one pool of 32 connections per worker, idle
# clients kept for an hour. Prints the configuration.
holdfast_bench_config() {  # listen port, control port, backend port, workers
cat <<EOF
[server]
listen = ["127.0.0.1:$1"]
workers = $4

[timeouts]
client_idle = "1h"

[control]
listen = "127.0.0.1:$2"

[[backend]]
name = "app"
address = "127.0.0.1:$3"
max_connections = 32
[backend.health]
path = "/"

[[route]]
path_prefix = "/"
backends = ["app"]
sticky = "none"
EOF
}

# HAProxy the same way: keep-alive and connection reuse towards the backend, at most
# SERVER_MAXCONN backend connections (Holdfast's pools: 32 per worker). maxconn above the fd
# limit / 2 would stop it ("no strict-limits" makes that a warning): idle clients take one fd
# each, so 15,000 of them fit in 20,000 fds. Prints the configuration.
haproxy_bench_config() {  # listen port, backend port, threads, server maxconn
cat <<EOF
global
    nbthread $3
    maxconn 18000
    no strict-limits
defaults
    mode http
    timeout connect 3s
    timeout client 1h
    timeout server 30s
    timeout http-keep-alive 1h
frontend clients
    bind 127.0.0.1:$1
    default_backend app
backend app
    http-reuse always
    server app 127.0.0.1:$2 maxconn $4
EOF
}
