# awk functions the benchmark reports share (sourced): prepend "$stats_awk" to a program.
# median(list) and range(list) of a space-separated list of numbers; "n/a" when it is empty.
# shellcheck disable=SC2034   # used by the scripts that source this
stats_awk='
    function median(list,   v, k, t, i, j) {
        k = split(list, v, " ")
        for (i = 2; i <= k; i++) for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
        return k ? v[int((k + 1) / 2)] : "n/a"
    }
    function range(list,   v, k, i, lo, hi) {
        k = split(list, v, " "); if (!k) return "n/a"; lo = hi = v[1]
        for (i = 2; i <= k; i++) { if (v[i] + 0 < lo + 0) lo = v[i]; if (v[i] + 0 > hi + 0) hi = v[i] }
        return lo == hi ? lo : lo "–" hi
    }
'
