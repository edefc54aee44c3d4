/* Holds one streaming subscriber (SSE / EventSource) per channel and counts the messages each
 * one receives, so a publish benchmark can check that every accepted publish was delivered.
 *
 * Opens N connections at -r per second ("GET PATH", PATH = printf(-u, channel index); channel i
 * goes to the (i mod count)-th port of -p), waits until every one has its response head, prints
 * "READY subscribed=... failed=...", then reads, counting after each response head the bytes
 * equal to the mark (-m: one character only a message's payload contains, so SSE framing, ids,
 * comments and chunk sizes never count). On SIGUSR1 (the publisher is done) it waits until
 * nothing has arrived for -i seconds (at most -W), reads the publisher's per-channel accepted
 * counts (-c: N native int64s) and prints
 * "RESULT delivered=D expected=E lost=E-D channels_short=... channels_over=... closed=...".
 *
 * Connections come from source addresses 127.0.0.<-s> upward, 20,000 per address, so the
 * ephemeral ports of a shared machine's loopback address are not used up. */
#include "../holding/common.h"
#include <signal.h>
#include <sys/epoll.h>

enum phase { CONNECTING, WAITING_HEAD, STREAMING, CLOSED };

struct sub {
    int fd;
    enum phase phase;
    int matched;      /* bytes of "\r\n\r\n" matched so far while reading the head */
    long read_bytes;  /* to check the status line in the first read */
    long count;       /* messages (marks) received */
};

static volatile sig_atomic_t publisher_done;
static void on_usr1(int sig) { (void)sig; publisher_done = 1; }

static void usage(void) {
    fprintf(stderr, "usage: subscribers -p PORT[,PORT...] -n CHANNELS -u PATH_FORMAT -c COUNTS_FILE"
                    " [-m #] [-s source_octet] [-r conns_per_s] [-i idle_s] [-W max_wait_s]\n");
    exit(2);
}

static int open_subscriber(long i, int port, int first_source, int ep) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
    if (fd < 0) return -1;
    char source[32];
    snprintf(source, sizeof source, "127.0.0.%ld", first_source + i / 20000);
    struct sockaddr_in src = loopback_address(source, 0), dst = loopback_address("127.0.0.1", port);
    setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&src, sizeof src) < 0 ||
        (connect(fd, (struct sockaddr *)&dst, sizeof dst) < 0 && errno != EINPROGRESS)) {
        close(fd);
        return -1;
    }
    struct epoll_event ev = {.events = EPOLLOUT, .data.u64 = (uint64_t)i};
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    return fd;
}

static int send_request(int fd, const char *path_format, long i) {
    char request[512];
    int err = 0, len = snprintf(request, sizeof request, "GET ");
    socklen_t el = sizeof err;
    len += snprintf(request + len, sizeof request - (size_t)len, path_format, i);
    len += snprintf(request + len, sizeof request - (size_t)len, " HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n");
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
    return err ? -1 : write_all(fd, request, (size_t)len);
}

int main(int argc, char **argv) {
    const char *path_format = NULL, *counts_path = NULL;
    char mark = '#';
    int ports[16], nports = 0, first_source = 50;
    long n = 0;
    double rate = 10000, idle_s = 2, max_wait_s = 60;
    int opt;
    while ((opt = getopt(argc, argv, "p:n:u:c:m:s:r:i:W:")) != -1) {
        switch (opt) {
        case 'p': nports = parse_ports(optarg, ports, nports, 16); break;
        case 'n': n = atol(optarg); break;
        case 'u': path_format = optarg; break;
        case 'c': counts_path = optarg; break;
        case 'm': mark = optarg[0]; break;
        case 's': first_source = atoi(optarg); break;
        case 'r': rate = atof(optarg); break;
        case 'i': idle_s = atof(optarg); break;
        case 'W': max_wait_s = atof(optarg); break;
        default: usage();
        }
    }
    if (!nports || n <= 0 || !path_format || !counts_path) usage();
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa = {.sa_handler = on_usr1};
    sigaction(SIGUSR1, &sa, NULL);

    struct sub *subs = calloc((size_t)n, sizeof *subs);
    int ep = epoll_create1(0), ready = 0;
    long opened = 0, streaming = 0, failed = 0, closed = 0;
    int64_t start = now_ns(), last_data = 0, done_at = 0;
    struct epoll_event events[512];
    static char buf[65536];
    for (;;) {
        int64_t now = now_ns();
        while (opened < n && (double)(now - start) * rate / 1e9 >= (double)opened) {
            long i = opened++;
            subs[i].fd = open_subscriber(i, ports[i % nports], first_source, ep);
            if (subs[i].fd < 0) subs[i].phase = CLOSED, failed++;
        }
        if (!ready && opened == n && streaming + failed + closed == n) {
            printf("READY subscribed=%ld failed=%ld setup_s=%.2f\n", streaming, failed, (double)(now - start) / 1e9);
            fflush(stdout);
            ready = 1;
        }
        if (publisher_done && !done_at) done_at = last_data = now;
        if (done_at && (now - last_data >= (int64_t)(idle_s * 1e9) || now - done_at >= (int64_t)(max_wait_s * 1e9))) break;
        int k = epoll_wait(ep, events, 512, opened < n ? 1 : 20);
        for (int e = 0; e < k; e++) {
            long i = (long)events[e].data.u64;
            struct sub *s = &subs[i];
            if (s->phase == CONNECTING) {
                if (send_request(s->fd, path_format, i) < 0) goto lost;
                s->phase = WAITING_HEAD;
                struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.u64 = (uint64_t)i};
                epoll_ctl(ep, EPOLL_CTL_MOD, s->fd, &ev);
                continue;
            }
            ssize_t got;
            while ((got = read(s->fd, buf, sizeof buf)) > 0) {
                const char *p = buf, *end = buf + got;
                if (s->read_bytes == 0 && (got < 12 || memcmp(buf, "HTTP/1.1 200", 12) != 0)) {
                    fprintf(stderr, "channel %ld: expected 200, got: %.*s\n", i, (int)(got < 80 ? got : 80), buf);
                    goto lost;
                }
                s->read_bytes += got;
                for (; s->phase == WAITING_HEAD && p < end; p++) {
                    s->matched = *p == "\r\n\r\n"[s->matched] ? s->matched + 1 : (*p == '\r');
                    if (s->matched == 4) s->phase = STREAMING, streaming++;
                }
                for (; p < end; p++) s->count += *p == mark;
                last_data = now_ns();
            }
            if (got == 0 || (errno != EAGAIN && errno != EINTR)) goto lost;
            continue;
        lost:
            epoll_ctl(ep, EPOLL_CTL_DEL, s->fd, NULL);
            close(s->fd);
            if (s->phase == STREAMING) streaming--, closed++;
            else failed++;
            s->phase = CLOSED;
        }
    }
    /* compare with what the publisher says was accepted, channel by channel */
    FILE *f = fopen(counts_path, "r");
    if (!f) die(counts_path);
    long long delivered = 0, expected = 0, short_channels = 0, over_channels = 0;
    for (long i = 0; i < n; i++) {
        int64_t want = 0;
        if (fread(&want, sizeof want, 1, f) != 1) want = 0;
        expected += want, delivered += subs[i].count;
        short_channels += subs[i].count < want, over_channels += subs[i].count > want;
    }
    fclose(f);
    printf("RESULT delivered=%lld expected=%lld lost=%lld channels_short=%lld channels_over=%lld closed=%ld drain_s=%.2f\n",
           delivered, expected, expected - delivered, short_channels, over_channels, closed,
           (double)(last_data - done_at) / 1e9);
    return 0;
}
