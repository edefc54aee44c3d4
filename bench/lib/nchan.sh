# The start of an nginx+nchan configuration for the benchmarks (sourced): WORKERS and the
# directory DIR for its pid, log and temporary files; the caller writes its servers and "}".
nchan_config_head() {   # workers dir
    local d=$2
    cat <<EOF
load_module /usr/lib/nginx/modules/ngx_nchan_module.so;
worker_processes $1;
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
EOF
}
