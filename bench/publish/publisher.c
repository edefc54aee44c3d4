/* Publishes as fast as it can (or at an offered total rate) for a fixed time, over several
 * keep-alive connections with pipelining, each message to a random one of N channels, and counts
 * the answers: 2xx = accepted. Writes how many publishes each channel had accepted (-o: N native
 * int64s) for the subscriber client to compare with what it received.
 *
 * The request is "POST PATH" with PATH = printf(-u, channel index) and the body -b, e.g.
 * Holdfast's control listener -u /publish/ch%ld, nchan -u '/pub?id=ch%ld'. Connection j goes to
 * the (j mod count)-th port of -p. After -t seconds nothing more is sent; the answers still due
 * are awaited (at most 10 s). Prints
 * "RESULT sent=S accepted=A rejected=R unanswered=U seconds=T accepted_per_s=A/T first_reject=..."
 * with T from the first request to the last answer, and the publisher's own CPU time. */
#include "../holding/common.h"
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>

#define MAX_DEPTH 256

struct conn {
    int fd;
    long queue[MAX_DEPTH]; /* channels of the requests awaiting an answer, oldest first */
    int head, outstanding;
    char in[65536];
    size_t in_len;
    char out[65536];
    size_t out_len, out_sent;
};

static void usage(void) {
    fprintf(stderr, "usage: publisher -p PORT[,PORT...] -n CHANNELS -u PATH_FORMAT -o COUNTS_FILE [-c conns]"
                    " [-d pipeline_depth] [-t seconds] [-r total_per_s] [-b body] [-s source_octet]\n");
    exit(2);
}

/* Answers in c->in, framed by Content-Length (every publish answer here has one); returns the
 * status of the first complete answer and consumes it, 0 if none is complete, -1 if malformed. */
static int take_answer(struct conn *c) {
    char *end = memmem(c->in, c->in_len, "\r\n\r\n", 4);
    if (!end) return 0;
    size_t head = (size_t)(end - c->in) + 4;
    if (c->in_len < 12 || memcmp(c->in, "HTTP/1.", 7) != 0) return -1;
    int status = atoi(c->in + 9);
    long body = 0;
    for (char *p = c->in; p < end; p++) {
        if ((p == c->in || p[-1] == '\n') && strncasecmp(p, "content-length:", 15) == 0) body = atol(p + 15);
        if ((p == c->in || p[-1] == '\n') && strncasecmp(p, "transfer-encoding:", 18) == 0) return -1;
    }
    if (c->in_len < head + (size_t)body) return 0;
    memmove(c->in, c->in + head + body, c->in_len - head - (size_t)body);
    c->in_len -= head + (size_t)body;
    return status;
}

static int flush_out(struct conn *c) {
    while (c->out_sent < c->out_len) {
        ssize_t n = write(c->fd, c->out + c->out_sent, c->out_len - c->out_sent);
        if (n < 0) return errno == EAGAIN || errno == EINTR ? 0 : -1;
        c->out_sent += (size_t)n;
    }
    c->out_len = c->out_sent = 0;
    return 0;
}

int main(int argc, char **argv) {
    const char *path_format = NULL, *counts_path = NULL, *body = "PUBMSG#";
    int ports[16], nports = 0, nconns = 8, depth = 16, first_source = 40;
    long n = 0;
    double seconds = 10, rate = 0;
    int opt;
    while ((opt = getopt(argc, argv, "p:n:u:o:c:d:t:r:b:s:")) != -1) {
        switch (opt) {
        case 'p': nports = parse_ports(optarg, ports, nports, 16); break;
        case 'n': n = atol(optarg); break;
        case 'u': path_format = optarg; break;
        case 'o': counts_path = optarg; break;
        case 'c': nconns = atoi(optarg); break;
        case 'd': depth = atoi(optarg); break;
        case 't': seconds = atof(optarg); break;
        case 'r': rate = atof(optarg); break;
        case 'b': body = optarg; break;
        case 's': first_source = atoi(optarg); break;
        default: usage();
        }
    }
    if (!nports || n <= 0 || !path_format || !counts_path || nconns <= 0 || depth <= 0 || depth > MAX_DEPTH) usage();
    signal(SIGPIPE, SIG_IGN);
    int64_t *accepted = calloc((size_t)n, sizeof *accepted);
    struct conn *conns = calloc((size_t)nconns, sizeof *conns);
    int ep = epoll_create1(0);
    char source[32];
    snprintf(source, sizeof source, "127.0.0.%d", first_source);
    for (int j = 0; j < nconns; j++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
        struct sockaddr_in src = loopback_address(source, 0), dst = loopback_address("127.0.0.1", ports[j % nports]);
        setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        if (bind(fd, (struct sockaddr *)&src, sizeof src) < 0 || connect(fd, (struct sockaddr *)&dst, sizeof dst) < 0) die("connect");
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        set_nonblocking(fd);
        conns[j].fd = fd;
        struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLET, .data.u32 = (uint32_t)j};
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    }
    long sent = 0, answered = 0, rejected = 0, open = nconns;
    int first_reject = 0;
    uint64_t rng = 0x9E3779B97F4A7C15ULL;
    size_t body_len = strlen(body);
    int64_t start = now_ns(), stop = start + (int64_t)(seconds * 1e9), last_answer = start;
    struct epoll_event events[256];
    for (;;) {
        int64_t now = now_ns();
        int sending = now < stop;
        long pending = 0;
        for (int j = 0; j < nconns; j++) pending += conns[j].fd >= 0 ? conns[j].outstanding : 0;
        if (open == 0 || (!sending && (pending == 0 || now > stop + 10000000000LL))) break;
        /* fill every connection's pipeline up to the depth, within the offered rate */
        for (int j = 0; sending && j < nconns; j++) {
            struct conn *c = &conns[j];
            if (c->fd < 0) continue;
            while (c->outstanding < depth && c->out_len + 512 + body_len < sizeof c->out &&
                   (rate <= 0 || (double)sent < (double)(now - start) * rate / 1e9)) {
                rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
                long channel = (long)(rng % (uint64_t)n);
                char path[256];
                snprintf(path, sizeof path, path_format, channel);
                c->out_len += (size_t)snprintf(c->out + c->out_len, sizeof c->out - c->out_len,
                                               "POST %s HTTP/1.1\r\nHost: bench\r\nContent-Length: %zu\r\n\r\n%s",
                                               path, body_len, body);
                c->queue[(c->head + c->outstanding++) % MAX_DEPTH] = channel;
                sent++;
            }
            if (flush_out(c) < 0) { close(c->fd), c->fd = -1, open--; }
        }
        int k = epoll_wait(ep, events, 256, 1);
        for (int e = 0; e < k; e++) {
            struct conn *c = &conns[events[e].data.u32];
            if (c->fd < 0) continue;
            if ((events[e].events & EPOLLOUT) && flush_out(c) < 0) goto broken;
            for (;;) {
                ssize_t got = read(c->fd, c->in + c->in_len, sizeof c->in - c->in_len);
                if (got == 0) goto broken;
                if (got < 0) { if (errno == EAGAIN || errno == EINTR) break; goto broken; }
                c->in_len += (size_t)got;
                int status;
                while ((status = take_answer(c)) != 0) {
                    if (status < 0 || c->outstanding == 0) { fprintf(stderr, "unexpected answer: %.80s\n", c->in); goto broken; }
                    long channel = c->queue[c->head];
                    c->head = (c->head + 1) % MAX_DEPTH, c->outstanding--, answered++;
                    if (status >= 200 && status < 300) accepted[channel]++;
                    else if (rejected++ == 0) first_reject = status;
                }
                last_answer = now_ns();
            }
            continue;
        broken:
            close(c->fd), c->fd = -1, open--;
        }
    }
    long unanswered = 0, accepted_total = 0;
    for (int j = 0; j < nconns; j++) unanswered += conns[j].outstanding;
    for (long i = 0; i < n; i++) accepted_total += accepted[i];
    FILE *f = fopen(counts_path, "w");
    if (!f || fwrite(accepted, sizeof *accepted, (size_t)n, f) != (size_t)n || fclose(f) != 0) die(counts_path);
    double t = (double)(last_answer - start) / 1e9;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    printf("RESULT sent=%ld accepted=%ld rejected=%ld unanswered=%ld seconds=%.2f accepted_per_s=%.0f first_reject=%d cpu_s=%.2f\n",
           sent, accepted_total, rejected, unanswered, t, t > 0 ? accepted_total / t : 0, first_reject, cpu);
    return 0;
}
