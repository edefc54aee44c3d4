#!/bin/bash
# Is memory taken during a burst given back? Holdfast holds N long-polls opened slowly (SLOW/s)
# and, in a fresh proxy, the same N opened as fast as the client can (FAST/s offered); memory is
# read once nothing has happened for SETTLE seconds after the ramp (the workers' 5 s malloc_trim
# has run). Bytes per held = (Pss, Rss of all holdfast processes after − before) / N; the
# workers' [heap] and other anonymous mappings (libevent's arrays, mmapped blocks) beside them.
# Usage (from the repository root): bench/holding/burst.sh
# Knobs (environment): HOLDFAST_BINARY; BASELINE (another holdfast binary, measured in the same
#   rounds); N (30000), WORKERS (4), SLOW (1000), FAST (20000), SETTLE (7), ROUNDS (3);
#   HOLDING_PORT_BASE (19100 here, out of run.sh's way); RESULTS (bench/results/burst.md);
#   MALLOC_STATS=1: gdb asks each worker for glibc's malloc_stats (in use vs. arena), which
#   the table shows as heap in use per held.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
n=${N:-30000} workers=${WORKERS:-4} slow=${SLOW:-1000} fast=${FAST:-20000} settle=${SETTLE:-7}
rounds=${ROUNDS:-3} baseline=${BASELINE:-} results=${RESULTS:-$repo/bench/results/burst.md}
export HOLDING_PORT_BASE=${HOLDING_PORT_BASE:-19100}
work=$(mktemp -d "${TMPDIR:-/tmp}/burst.XXXXXX")
groups=()
# shellcheck source=../lib/processes.sh
source "$repo/bench/lib/processes.sh"
# shellcheck source=../lib/stats.sh
source "$repo/bench/lib/stats.sh"
# shellcheck source=../lib/holding.sh
source "$repo/bench/lib/holding.sh"

ulimit -n "$(ulimit -Hn)"
bounded_run 3000

# Rss (kB) of the [heap] and of the other anonymous mappings, summed over a group: "heap anon".
group_anonymous() {
    local pid
    for pid in $(descendants "$1"); do
        awk '/^[0-9a-f]+-[0-9a-f]+ / {kind = ($6 == "[heap]") ? "heap" : ($6 == "" ? "anon" : "")}
             /^Rss:/ && kind {sum[kind] += $2}
             END {print sum["heap"] + 0, sum["anon"] + 0}' "/proc/$pid/smaps" 2>/dev/null || echo "0 0"
    done | awk '{h += $1; a += $2} END {print h + 0, a + 0}'
}

# glibc's "in use bytes" over the workers (malloc_stats, through gdb, printed to each worker's stderr).
heap_in_use() {
    local pid seen
    seen=$(wc -l <"$work/holdfast.log")
    for pid in $(pgrep -P "$proxy_group"); do
        gdb -q -batch -p "$pid" -ex 'call (void) malloc_stats()' >/dev/null 2>&1 || true
    done
    sleep 0.5
    awk '/^Total \(incl. mmap\):/ {total = 1; next} total && /^in use bytes/ {sum += $5; total = 0} END {print sum + 0}' <(tail -n "+$((seen + 1))" "$work/holdfast.log")
}

# One ramp in a fresh proxy: binary label rate.
ramp() {
    local label=$1 rate=$3 out="$work/client.out"
    holdfast=$2
    echo "== $label rate=$rate" >&2
    start_holdfast "$workers"
    sleep 1
    local before anon_before in_use_before=0
    before=$(group_memory "$proxy_group")
    anon_before=$(group_anonymous "$proxy_group")
    [[ -n ${MALLOC_STATS:-} ]] && in_use_before=$(heap_in_use)
    start "$out" "$work/holdclient" -p "$client_port" -n "$n" -P $(( (n + 14999) / 15000 )) -r "$rate" -w "$settle" -W 120 -i 120 -t "$work/t0"
    local client=$started
    for _ in $(seq 1800); do grep -qs READY "$out" && break; kill -0 "$client" 2>/dev/null || break; sleep 0.1; done
    grep READY "$out" >&2 || { echo "client never got ready: $(cat "$out")" >&2; return 1; }
    local after anon_after in_use_after=0
    after=$(group_memory "$proxy_group")
    anon_after=$(group_anonymous "$proxy_group")
    [[ -n ${MALLOC_STATS:-} ]] && in_use_after=$(heap_in_use)
    local held setup_s pss_b rss_b pss_a rss_a heap_b anon_b heap_a anon_a
    held=$(sed -n 's/^READY held=\([0-9]*\).*/\1/p' "$out")
    setup_s=$(sed -n 's/^READY .*setup_s=\([0-9.]*\).*/\1/p' "$out")
    read -r pss_b rss_b <<<"$before"
    read -r pss_a rss_a <<<"$after"
    read -r heap_b anon_b <<<"$anon_before"
    read -r heap_a anon_a <<<"$anon_after"
    local in_use=n/a
    [[ -n ${MALLOC_STATS:-} ]] && in_use=$(( (in_use_after - in_use_before) / n ))
    echo -e "$label\t$rate\t$(awk -v n="$n" -v s="$setup_s" 'BEGIN {printf "%.0f", (s > 0 ? n / s : 0)}')\t$held\t$(( (pss_a - pss_b) * 1024 / n ))\t$(( (rss_a - rss_b) * 1024 / n ))\t$(( (heap_a - heap_b) * 1024 / n ))\t$(( (anon_a - anon_b) * 1024 / n ))\t$in_use" | tee -a "$work/burst.tsv" >&2
    stop_all
}

# Medians over the rounds per binary and rate; the range of Pss; fast ÷ slow of the Pss and Rss medians.
median_rows() {
    awk -F'\t' -v slow="$slow" "$stats_awk"'
        {
            key = $1 "\t" $2
            if (!(key in seen)) { seen[key] = 1; order[++keys] = key }
            for (c = 3; c <= 9; c++) col[key, c] = col[key, c] " " $c
        }
        END {
            for (i = 1; i <= keys; i++) {
                split(order[i], k, "\t"); key = order[i]; base = k[1] "\t" slow
                pss = median(col[key, 5]); rss = median(col[key, 6])
                ratio = sprintf("%.2f [%.2f]", pss / median(col[base, 5]), rss / median(col[base, 6]))
                printf "| %s | %s | %s | %s | %s (%s) [%s (%s)] | %s | %s | %s | %s |\n", k[1], k[2], median(col[key, 3]),
                    median(col[key, 4]), pss, range(col[key, 5]), rss, range(col[key, 6]),
                    median(col[key, 7]), median(col[key, 8]), median(col[key, 9]), ratio
            }
        }' "$work/burst.tsv"
}

write_results() {
    local kept="" knobs=""
    [[ -f $results ]] && kept=$(sed -n '/^## Where it goes/,$p' "$results")
    for knob in N WORKERS SLOW FAST SETTLE ROUNDS BASELINE HOLDFAST_BINARY MALLOC_STATS; do
        [[ -n ${!knob:-} ]] && knobs+="$knob=${!knob} "
    done
    {
        echo "# Burst benchmark: is memory taken during a fast ramp given back?"
        echo
        echo "Generated by \`${knobs}bench/holding/burst.sh\` on $(date -u +%Y-%m-%d) (commit $(git -C "$repo" rev-parse --short HEAD))."
        echo
        echo "Machine: $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(free -g | awk '/^Mem:/ {print $2}') GiB memory, kernel $(uname -r); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared with other builds and benchmarks)."
        echo
        echo "Each round starts a fresh Holdfast ($workers workers) per binary and rate, opens $n long-polls at the offered rate (holdclient -r, $(( (n + 14999) / 15000 )) client processes), and reads memory once nothing has happened for ${settle}s after the last request (the workers' malloc_trim runs every 5 s). Bytes per held = (after − before) / $n, user space only: Pss over every holdfast process, Rss in brackets; [heap] and other anonymous Rss of all processes; heap in use = glibc malloc_stats' \"in use bytes\" over the workers (MALLOC_STATS=1 only). Sent/s = the rate the client managed (it shares the 2 CPUs). $rounds round(s); medians, with the range over the rounds."
        echo
        echo "| binary | offered/s | sent/s | held | bytes/held Pss (range) [Rss (range)] | [heap] | other anon | heap in use | ÷ slow Pss [Rss] |"
        echo "|---|---|---|---|---|---|---|---|---|"
        median_rows
        echo
        echo "Target (issue 12): bytes per held after the fast ramp ≤ 1.2 × after the slow ramp."
        [[ -n $kept ]] && echo && echo "$kept"
    } >"$results"
    echo "wrote $results" >&2
    if [[ $results == "$repo/bench/results/"*.md ]]; then "$repo/bench/report.sh"; fi
}

build_holding_tools
binaries=("holdfast $holdfast")
[[ -n $baseline ]] && binaries+=("baseline $baseline")
: >"$work/burst.tsv"
for ((round = 1; round <= rounds; round++)); do
    for entry in "${binaries[@]}"; do
        for rate in "$slow" "$fast"; do
            read -r label binary <<<"$entry"
            ramp "$label" "$binary" "$rate" || { echo "failed: $label $rate" >&2; stop_all; }
        done
    done
done
write_results
