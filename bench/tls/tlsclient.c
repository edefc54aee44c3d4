/* TLS load for bench/tls/run.sh, one process, non-blocking, epoll.
 *
 * hold mode (-H): open N TLS connections at -r per second, finish each handshake, send
 *   "GET PATH" on it, wait until nothing arrives for -w seconds and print "READY held=..."
 *   (handshaken, sent, unanswered). Then wait up to -W seconds for every held connection to
 *   receive data containing -m and print "RESULT delivered=...".
 * handshake mode (-K): keep -c handshakes in flight for -T seconds, each on a new connection
 *   closed as soon as its handshake is done; print "HANDSHAKES per_s=... reused=... failed=...".
 *   With -R every connection offers the session of the first one (TLS 1.2, whose session
 *   ticket arrives within the handshake), so the server may resume it.
 *
 * Certificates are not verified: the benchmark measures the server's side, and both servers
 * get the same certificate. */
#include "../holding/common.h"
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <sys/epoll.h>

enum phase { CONNECTING, HANDSHAKING, SENDING, HELD, ANSWERED, DEAD };

struct conn { int fd; SSL *ssl; enum phase phase; };

struct options {
    int port, hold_mode, handshake_mode, resume, concurrency;
    long total;
    double rate, settle_s, wait_s, seconds;
    const char *path, *mark;
};

static SSL_CTX *ctx;
static SSL_SESSION *resumable;
static int ep;

static void usage(void) {
    fprintf(stderr, "usage: tlsclient -p PORT (-H -n N [-r per_s] [-u /x] [-m PUBMSG] [-w settle_s] [-W wait_s]"
                    " | -K [-c concurrency] [-T seconds] [-R])\n");
    exit(2);
}

static void watch(struct conn *c, long slot, uint32_t events, int op) {
    struct epoll_event ev = {.events = events, .data.u64 = (uint64_t)slot};
    epoll_ctl(ep, op, c->fd, &ev);
}

static int open_conn(const struct options *o, struct conn *c, long slot) {
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (c->fd < 0) return -1;
    struct sockaddr_in dst = loopback_address("127.0.0.1", o->port);
    if (connect(c->fd, (struct sockaddr *)&dst, sizeof dst) < 0 && errno != EINPROGRESS) {
        close(c->fd);
        return -1;
    }
    c->ssl = SSL_new(ctx);
    SSL_set_fd(c->ssl, c->fd);
    SSL_set_tlsext_host_name(c->ssl, "bench.test");
    if (o->resume && resumable) SSL_set_session(c->ssl, resumable);
    c->phase = CONNECTING;
    watch(c, slot, EPOLLOUT, EPOLL_CTL_ADD);
    return 0;
}

static void close_conn(struct conn *c) {
    /* Marked as shut down, though no close_notify is sent: OpenSSL would otherwise mark the
     * session not resumable, and it is the one every connection of -R offers. */
    if (c->ssl) SSL_set_shutdown(c->ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    if (c->ssl) SSL_free(c->ssl);
    if (c->fd >= 0) close(c->fd);
    c->ssl = NULL;
    c->fd = -1;
}

/* Drives the handshake; 1 when done, 0 while it waits (the socket re-armed), -1 on failure. */
static int step_handshake(struct conn *c, long slot) {
    c->phase = HANDSHAKING;
    int r = SSL_connect(c->ssl);
    if (r == 1) return 1;
    int err = SSL_get_error(c->ssl, r);
    if (err == SSL_ERROR_WANT_READ) { watch(c, slot, EPOLLIN, EPOLL_CTL_MOD); return 0; }
    if (err == SSL_ERROR_WANT_WRITE) { watch(c, slot, EPOLLOUT, EPOLL_CTL_MOD); return 0; }
    ERR_clear_error();
    return -1;
}

static int run_handshakes(const struct options *o) {
    struct conn *conns = calloc((size_t)o->concurrency, sizeof *conns);
    long done = 0, reused = 0, failed = 0;
    if (o->resume) {   /* one full handshake, blocking, for the session everyone offers */
        struct conn first = {.fd = -1};
        if (open_conn(o, &first, -1) < 0) die("connect");
        epoll_ctl(ep, EPOLL_CTL_DEL, first.fd, NULL);
        int flags = fcntl(first.fd, F_GETFL);
        fcntl(first.fd, F_SETFL, flags & ~O_NONBLOCK);
        if (SSL_connect(first.ssl) != 1) { fprintf(stderr, "first handshake failed\n"); return 1; }
        resumable = SSL_get1_session(first.ssl);
        close_conn(&first);
    }
    for (long i = 0; i < o->concurrency; i++)
        if (open_conn(o, &conns[i], i) < 0) die("connect");
    int64_t end = now_ns() + (int64_t)(o->seconds * 1e9), start = now_ns();
    struct epoll_event events[256];
    while (now_ns() < end) {
        int n = epoll_wait(ep, events, 256, 100);
        for (int i = 0; i < n; i++) {
            long slot = (long)events[i].data.u64;
            struct conn *c = &conns[slot];
            int r = step_handshake(c, slot);
            if (r == 0) continue;
            if (r == 1) {
                done++;
                if (SSL_session_reused(c->ssl)) reused++;
            } else {
                failed++;
            }
            close_conn(c);
            if (open_conn(o, c, slot) < 0) die("connect");
        }
    }
    double elapsed = (double)(now_ns() - start) / 1e9;
    printf("HANDSHAKES per_s=%.0f done=%ld reused=%ld failed=%ld\n", (double)done / elapsed, done, reused, failed);
    return 0;
}

static int run_holds(const struct options *o) {
    struct conn *conns = calloc((size_t)o->total, sizeof *conns);
    char request[512];
    int request_len = snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: bench.test\r\n\r\n", o->path);
    long opened = 0, held = 0, failed = 0, answered_early = 0, delivered = 0;
    int64_t start = now_ns(), last_activity = now_ns();
    struct epoll_event events[256];
    char buf[4096];
    int ready_printed = 0;
    int64_t ready_at = 0;
    for (;;) {
        long due = (long)((double)(now_ns() - start) / 1e9 * o->rate) + 1;
        while (opened < o->total && opened < due) {
            if (open_conn(o, &conns[opened], opened) < 0) failed++;
            opened++;
        }
        int n = epoll_wait(ep, events, 256, 10);
        for (int i = 0; i < n; i++) {
            long slot = (long)events[i].data.u64;
            struct conn *c = &conns[slot];
            last_activity = now_ns();
            if (c->phase == CONNECTING || c->phase == HANDSHAKING) {
                int r = step_handshake(c, slot);
                if (r < 0) { c->phase = DEAD; failed++; close_conn(c); continue; }
                if (r == 0) continue;
                c->phase = SENDING;
            }
            if (c->phase == SENDING) {
                if (SSL_write(c->ssl, request, request_len) != request_len) { c->phase = DEAD; failed++; close_conn(c); continue; }
                c->phase = HELD;
                held++;
                watch(c, slot, EPOLLIN, EPOLL_CTL_MOD);
                continue;
            }
            int got = SSL_read(c->ssl, buf, sizeof buf - 1);
            if (got <= 0) {
                int err = SSL_get_error(c->ssl, got);
                if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) continue;
                if (c->phase == HELD) { held--; failed++; }
                c->phase = DEAD;
                close_conn(c);
                continue;
            }
            buf[got] = 0;
            if (c->phase == HELD) {
                held--;
                if (ready_printed && memmem(buf, (size_t)got, o->mark, strlen(o->mark))) delivered++; else answered_early++;
                c->phase = ANSWERED;
            }
        }
        int64_t now = now_ns();
        if (!ready_printed && opened == o->total && (double)(now - last_activity) / 1e9 >= o->settle_s) {
            printf("READY held=%ld failed=%ld answered=%ld\n", held, failed, answered_early);
            fflush(stdout);
            ready_printed = 1;
            ready_at = now;
        }
        if (ready_printed && (held == 0 || (double)(now - ready_at) / 1e9 >= o->wait_s)) break;
    }
    printf("RESULT delivered=%ld still_held=%ld\n", delivered, held);
    return 0;
}

int main(int argc, char **argv) {
    struct options o = {.rate = 2000, .settle_s = 2, .wait_s = 60, .seconds = 5, .concurrency = 32,
                        .path = "/x", .mark = "PUBMSG"};
    int opt;
    while ((opt = getopt(argc, argv, "p:HKn:r:u:m:w:W:c:T:R")) != -1) {
        switch (opt) {
        case 'p': o.port = atoi(optarg); break;
        case 'H': o.hold_mode = 1; break;
        case 'K': o.handshake_mode = 1; break;
        case 'n': o.total = atol(optarg); break;
        case 'r': o.rate = atof(optarg); break;
        case 'u': o.path = optarg; break;
        case 'm': o.mark = optarg; break;
        case 'w': o.settle_s = atof(optarg); break;
        case 'W': o.wait_s = atof(optarg); break;
        case 'c': o.concurrency = atoi(optarg); break;
        case 'T': o.seconds = atof(optarg); break;
        case 'R': o.resume = 1; break;
        default: usage();
        }
    }
    if (!o.port || o.hold_mode == o.handshake_mode || (o.hold_mode && o.total <= 0)) usage();
    signal(SIGPIPE, SIG_IGN);
    ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    /* TLS 1.3 unless resuming: a server that would only speak 1.2 fails rather than being measured at it. */
    if (o.resume) SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
    else SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    ep = epoll_create1(0);
    return o.hold_mode ? run_holds(&o) : run_handshakes(&o);
}
