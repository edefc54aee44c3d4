# Process helpers shared by the benchmark scripts (sourced). Everything a script starts runs in
# a process group of its own, listed in the caller's `groups` array, and is stopped by that id.
# `bounded_run SECONDS` makes the whole script stop by itself and clean up (`$work` removed).

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

# CPU time (clock ticks, user + system) used so far by a process and its descendants.
group_cpu_ticks() {
    local pid total=0 t
    for pid in $(descendants "$1"); do
        # fields 14 and 15 of /proc/PID/stat, counted after the ")" that ends the command name
        t=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{print $12 + $13}') || t=0
        total=$((total + ${t:-0}))
    done
    echo "$total"
}

# On exit: everything started, the watchdog and its sleep (which would keep a pipe reading the
# script's output open), and the work directory.
cleanup() {
    local pgid sleeper
    for pgid in "${groups[@]}"; do stop_group "$pgid"; done
    if [[ -n ${watchdog:-} ]]; then
        sleeper=$(pgrep -P "$watchdog" || true)
        kill "$watchdog" $sleeper 2>/dev/null || true
    fi
    rm -rf "$work"
}

bounded_run() {
    trap cleanup EXIT
    trap 'echo "interrupted" >&2; exit 130' INT TERM
    (sleep "$1"; echo "$0: over $1 s, stopping" >&2; kill -TERM $$) &
    watchdog=$!
}
