/* Opens many HTTP/1.1 long-poll requests against a proxy and measures what comes back.
 *
 * fan-out mode (default): open N connections at -r per second, send "GET PATH" on each, wait
 *   until nothing arrives for -w seconds, print "READY ..." (all sent and held, none answered),
 *   then record when each connection receives its response (CLOCK_MONOTONIC, ns). When every
 *   held connection has an answer (or -W seconds pass, or -i seconds pass without an answer
 *   after the first one), read the publish time (ns, CLOCK_MONOTONIC) from the -t file and
 *   print "RESULT ..." with latency percentiles relative to it.
 * hold-rate mode (-x): open N connections at -r per second, wait -w seconds after the last,
 *   print "HOLDRATE ..." counting held (open, unanswered), 5xx, other answers, closes, failures.
 * WebSocket (-k, with either mode): the request is an opening handshake with a fixed
 *   Sec-WebSocket-Key; a connection answered "101" stays held until a frame with the mark
 *   arrives (the frame is unmasked text, so the mark is found in its bytes as it is).
 *
 * Connections are split over -P processes (each needs fewer than 20,000 fds) and over source
 * addresses 127.0.0.<-s>, 127.0.0.<-s + 1>, ... (-S connections each), bound before connect. */
#include "common.h"
#include <signal.h>
#include <sys/epoll.h>
#include <sys/wait.h>

enum outcome { PENDING, SENT, PUBLISHED, ANSWER_5XX, ANSWER_OTHER, CLOSED, FAILED };

struct options {
    const char *address, *path, *mark, *t0_file, *latency_file;
    int port, processes, first_source, per_source, hold_rate_mode, websocket;
    long total;
    double rate, settle_s, wait_s, idle_s;
};

struct report {          /* what a child tells the parent through the pipe, per phase */
    long counts[FAILED + 1];
    long upgraded;       /* WebSockets answered 101 (held ones and answered ones) */
    int64_t first_send_ns, last_send_ns;
};

struct conn { int fd; enum outcome outcome; int upgraded; int64_t answered_ns; };

static void usage(void) {
    fprintf(stderr, "usage: holdclient -p PORT -n N [-a 127.0.0.1] [-P procs] [-s first_source_octet]"
                    " [-S per_source] [-u /x] [-m PUBMSG] [-r conns_per_s] [-w settle_s] [-W wait_s]"
                    " [-i idle_s] [-t t0_file] [-L latency_file] [-x] [-k]\n");
    exit(2);
}

static int open_connection(const struct options *o, long global_index, int ep, long slot) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    char source[32];
    snprintf(source, sizeof source, "127.0.0.%ld", o->first_source + global_index / o->per_source);
    struct sockaddr_in src = loopback_address(source, 0);
    struct sockaddr_in dst = loopback_address(o->address, o->port);
    if (bind(fd, (struct sockaddr *)&src, sizeof src) < 0 ||
        (connect(fd, (struct sockaddr *)&dst, sizeof dst) < 0 && errno != EINPROGRESS)) {
        close(fd);
        return -1;
    }
    struct epoll_event ev = {.events = EPOLLOUT, .data.u64 = (uint64_t)slot};
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    return fd;
}

static enum outcome classify(const char *buf, ssize_t len, const char *mark) {
    if (len >= 10 && memcmp(buf, "HTTP/1.", 7) == 0 && buf[9] == '5') return ANSWER_5XX;
    if (memmem(buf, (size_t)len, mark, strlen(mark))) return PUBLISHED;
    return ANSWER_OTHER;
}

/* Handles one readiness event: 1 when the connection reached its outcome, -1 when the request
 * was just sent, 0 otherwise. */
static int on_event(const struct options *o, int ep, struct conn *c, uint32_t events, const char *request,
                    size_t request_len, int64_t *last_send_ns) {
    if (c->outcome == PENDING) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err || (events & (EPOLLERR | EPOLLHUP)) || write_all(c->fd, request, request_len) < 0) {
            c->outcome = FAILED;
        } else {
            c->outcome = SENT;
            *last_send_ns = now_ns();
            return -1; /* caller re-arms the socket for reading */
        }
        epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
        return 1;
    }
    char buf[4096];
    ssize_t n = read(c->fd, buf, sizeof buf);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return 0;
    const char *data = buf;
    if (o->websocket && n > 0 && !c->upgraded && n >= 12 && memcmp(buf, "HTTP/1.1 101", 12) == 0) {
        c->upgraded = 1; /* the frames follow the handshake's head, maybe in the same read */
        const char *end = memmem(buf, (size_t)n, "\r\n\r\n", 4);
        data = end ? end + 4 : buf + n;
        if (data == buf + n) return 0;
    }
    c->answered_ns = now_ns();
    c->outcome = n > 0 ? classify(data, n - (data - buf), o->mark) : CLOSED;
    if (o->websocket && !c->upgraded && c->outcome == PUBLISHED) c->outcome = ANSWER_OTHER; /* not a frame */
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    return 1;
}

static void count_outcomes(const struct conn *conns, long n, struct report *r) {
    memset(r->counts, 0, sizeof r->counts);
    r->upgraded = 0;
    for (long i = 0; i < n; i++) {
        r->counts[conns[i].outcome]++;
        r->upgraded += conns[i].upgraded;
    }
}

/* Runs the event loop until `until_ns`, or until `quiet_ns` pass with no event (if quiet_ns > 0),
 * or until `open` reaches zero. Opens new connections on schedule while `next < n`. */
static void run_loop(const struct options *o, int ep, struct conn *conns, long n, long first_global,
                     long *next, long *open, const char *request, size_t request_len, struct report *r,
                     int64_t until_ns, int64_t quiet_ns, int stop_on_first_quiet) {
    double per_child_rate = o->rate / o->processes;
    int64_t start = r->first_send_ns ? r->first_send_ns : now_ns();
    int64_t last_event = now_ns();
    int got_any = 0;
    struct epoll_event events[512];
    for (;;) {
        int64_t now = now_ns();
        /* A client behind schedule opens at most a batch before it writes the requests of the
         * ones already open: otherwise, short of CPU, it opens thousands that send nothing and
         * the proxy rightly cuts them at its header timeout. */
        for (int batch = 0; batch < 64 && *next < n &&
                            (per_child_rate <= 0 || (double)(now - start) * per_child_rate / 1e9 >= (double)*next);
             batch++) {
            if (!r->first_send_ns) r->first_send_ns = start = now;
            long i = (*next)++;
            conns[i].fd = open_connection(o, first_global + i, ep, i);
            if (conns[i].fd < 0) conns[i].outcome = FAILED;
            else (*open)++;
            last_event = now;
        }
        if (*next >= n && *open == 0) return;
        if (now >= until_ns) return;
        if (*next >= n && quiet_ns > 0 && now - last_event >= quiet_ns && (!stop_on_first_quiet || got_any)) return;
        int timeout_ms = *next < n ? 1 : 50;
        int k = epoll_wait(ep, events, 512, timeout_ms);
        for (int e = 0; e < k; e++) {
            struct conn *c = &conns[events[e].data.u64];
            int done = on_event(o, ep, c, events[e].events, request, request_len, &r->last_send_ns);
            if (done < 0) {
                struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.u64 = events[e].data.u64};
                epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
            } else if (done > 0) {
                (*open)--;
                got_any = 1;
            }
        }
        if (k > 0) last_event = now_ns();
    }
}

static void child_main(const struct options *o, long first_global, long n, int report_fd, int go_fd,
                       const char *times_path) {
    char request[512];
    const char *upgrade = o->websocket ? "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                                         "Sec-WebSocket-Key: " WEBSOCKET_KEY "\r\n" : "";
    size_t request_len = (size_t)snprintf(request, sizeof request,
                                          "GET %s HTTP/1.1\r\nHost: bench\r\nUser-Agent: holdclient\r\n%s\r\n",
                                          o->path, upgrade);
    struct conn *conns = calloc((size_t)n, sizeof *conns);
    int ep = epoll_create1(0);
    long next = 0, open = 0;
    struct report r = {0};
    int64_t settle = (int64_t)(o->settle_s * 1e9);
    /* phase 1: open everything, then wait until the proxy has been quiet for settle_s */
    run_loop(o, ep, conns, n, first_global, &next, &open, request, request_len, &r, INT64_MAX, settle, 0);
    count_outcomes(conns, n, &r);
    if (write(report_fd, &r, sizeof r) != sizeof r) die("write report");
    if (o->hold_rate_mode) exit(0);
    char go;
    if (read(go_fd, &go, 1) != 1) exit(1);
    /* phase 2: wait for the published message */
    int64_t until = now_ns() + (int64_t)(o->wait_s * 1e9);
    run_loop(o, ep, conns, n, first_global, &next, &open, request, request_len, &r, until,
             (int64_t)(o->idle_s * 1e9), 1);
    count_outcomes(conns, n, &r);
    FILE *f = fopen(times_path, "w");
    if (!f) die(times_path);
    for (long i = 0; i < n; i++)
        if (conns[i].outcome == PUBLISHED) fwrite(&conns[i].answered_ns, sizeof(int64_t), 1, f);
    fclose(f);
    if (write(report_fd, &r, sizeof r) != sizeof r) die("write report");
    exit(0);
}

static int compare_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void sum_reports(int report_fd, int processes, struct report *total) {
    memset(total, 0, sizeof *total);
    total->first_send_ns = INT64_MAX;
    for (int p = 0; p < processes; p++) {
        struct report r;
        if (read(report_fd, &r, sizeof r) != sizeof r) die("read report");
        for (int k = 0; k <= FAILED; k++) total->counts[k] += r.counts[k];
        total->upgraded += r.upgraded;
        if (r.first_send_ns && r.first_send_ns < total->first_send_ns) total->first_send_ns = r.first_send_ns;
        if (r.last_send_ns > total->last_send_ns) total->last_send_ns = r.last_send_ns;
    }
}

static double ms(int64_t ns) { return (double)ns / 1e6; }

static void print_latencies(const struct options *o, const char *dir, long held) {
    long long t0 = 0;
    FILE *t0f = NULL;
    for (int tries = 0; tries < 100 && !t0f; tries++) { /* the publisher may still be writing it */
        t0f = fopen(o->t0_file, "r");
        if (!t0f || fscanf(t0f, "%lld", &t0) != 1) {
            if (t0f) fclose(t0f);
            t0f = NULL;
            usleep(100000);
        }
    }
    if (!t0f) {
        fprintf(stderr, "expected a publish time in ns in %s\n", o->t0_file);
        exit(1);
    }
    fclose(t0f);
    int64_t *lat = malloc(sizeof(int64_t) * (size_t)(o->total + 1));
    long count = 0;
    for (int p = 0; p < o->processes; p++) {
        char path[600];
        snprintf(path, sizeof path, "%s/times.%d", dir, p);
        FILE *f = fopen(path, "r");
        if (!f) die(path);
        int64_t v;
        while (fread(&v, sizeof v, 1, f) == 1) lat[count++] = v - t0;
        fclose(f);
        unlink(path);
    }
    qsort(lat, (size_t)count, sizeof *lat, compare_i64);
    if (count == 0) {
        printf("RESULT delivered=0 held=%ld\n", held);
        return;
    }
    printf("RESULT delivered=%ld held=%ld min_ms=%.2f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n", count, held,
           ms(lat[0]), ms(lat[(count - 1) / 2]), ms(lat[(long)((count - 1) * 0.99)]), ms(lat[count - 1]));
    if (o->latency_file) {
        FILE *f = fopen(o->latency_file, "w");
        if (!f) die(o->latency_file);
        for (long i = 0; i < count; i++) fprintf(f, "%.3f\n", ms(lat[i]));
        fclose(f);
    }
    free(lat);
}

int main(int argc, char **argv) {
    struct options o = {.address = "127.0.0.1", .path = "/x", .mark = "PUBMSG", .processes = 1,
                        .first_source = 2, .per_source = 10000, .rate = 5000, .settle_s = 2,
                        .wait_s = 60, .idle_s = 5};
    int opt;
    while ((opt = getopt(argc, argv, "a:p:n:P:s:S:u:m:r:w:W:i:t:L:xk")) != -1) {
        switch (opt) {
        case 'a': o.address = optarg; break;
        case 'p': o.port = atoi(optarg); break;
        case 'n': o.total = atol(optarg); break;
        case 'P': o.processes = atoi(optarg); break;
        case 's': o.first_source = atoi(optarg); break;
        case 'S': o.per_source = atoi(optarg); break;
        case 'u': o.path = optarg; break;
        case 'm': o.mark = optarg; break;
        case 'r': o.rate = atof(optarg); break;
        case 'w': o.settle_s = atof(optarg); break;
        case 'W': o.wait_s = atof(optarg); break;
        case 'i': o.idle_s = atof(optarg); break;
        case 't': o.t0_file = optarg; break;
        case 'L': o.latency_file = optarg; break;
        case 'x': o.hold_rate_mode = 1; break;
        case 'k': o.websocket = 1; break;
        default: usage();
        }
    }
    if (!o.port || o.total <= 0 || o.processes <= 0 || (!o.hold_rate_mode && !o.t0_file)) usage();
    if (o.total / o.processes > 19000) {
        fprintf(stderr, "expected at most 19000 connections per process, got %ld (use -P)\n", o.total / o.processes);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    char dir[] = "/tmp/holdclient.XXXXXX";
    if (!mkdtemp(dir)) die("mkdtemp");
    int report_pipe[2], go_pipe[2];
    if (pipe(report_pipe) < 0 || pipe(go_pipe) < 0) die("pipe");
    long base = 0;
    for (int p = 0; p < o.processes; p++) {
        long n = o.total / o.processes + (p < o.total % o.processes);
        if (fork() == 0) {
            close(go_pipe[1]);
            char path[600];
            snprintf(path, sizeof path, "%s/times.%d", dir, p);
            child_main(&o, base, n, report_pipe[1], go_pipe[0], path);
        }
        base += n;
    }
    close(go_pipe[0]);
    struct report setup;
    sum_reports(report_pipe[0], o.processes, &setup);
    double send_s = (double)(setup.last_send_ns - setup.first_send_ns) / 1e9;
    long held = setup.counts[SENT];
    if (o.hold_rate_mode) {
        printf("HOLDRATE target_per_s=%.0f opened=%ld achieved_per_s=%.0f held=%ld answered_5xx=%ld "
               "answered_other=%ld closed=%ld failed=%ld\n",
               o.rate, o.total, send_s > 0 ? (double)o.total / send_s : 0, held, setup.counts[ANSWER_5XX],
               setup.counts[ANSWER_OTHER] + setup.counts[PUBLISHED], setup.counts[CLOSED], setup.counts[FAILED]);
    } else {
        printf("READY held=%ld answered_early=%ld closed=%ld failed=%ld setup_s=%.2f", held,
               setup.counts[ANSWER_5XX] + setup.counts[ANSWER_OTHER] + setup.counts[PUBLISHED],
               setup.counts[CLOSED], setup.counts[FAILED], send_s);
        if (o.websocket) printf(" upgraded=%ld", setup.upgraded);
        printf("\n");
        fflush(stdout);
        for (int p = 0; p < o.processes; p++)
            if (write(go_pipe[1], "g", 1) != 1) die("write go");
        struct report after;
        sum_reports(report_pipe[0], o.processes, &after);
        printf("ANSWERS published=%ld answered_5xx=%ld answered_other=%ld closed=%ld unanswered=%ld\n",
               after.counts[PUBLISHED], after.counts[ANSWER_5XX], after.counts[ANSWER_OTHER],
               after.counts[CLOSED] - setup.counts[CLOSED], after.counts[SENT]);
        print_latencies(&o, dir, held);
    }
    while (wait(NULL) > 0) {}
    rmdir(dir);
    return 0;
}
