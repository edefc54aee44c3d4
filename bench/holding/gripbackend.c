/* A GRIP backend that never is the bottleneck: every request on a keep-alive HTTP/1.1
 * connection gets the same hold instruction (the body is the hold's timeout response).
 * With "websocket" it speaks WebSocket-over-HTTP instead: every request (Pushpin's OPEN, the
 * only one a held client causes) is accepted and subscribed to the channel.
 * Usage: gripbackend PORT [websocket]   (listens on 127.0.0.1:PORT; SIGUSR1 prints the request count) */
#include "common.h"
#include <signal.h>
#include <sys/epoll.h>

#define MAX_FDS 20000
#define BUF_BYTES 16384

static const char RESPONSE[] =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: text/plain\r\n"
    "Grip-Hold: response\r\n"
    "Grip-Channel: bench\r\n"
    "Grip-Timeout: 7200\r\n"
    "Content-Length: 8\r\n"
    "\r\n"
    "timeout\n";

#define SUBSCRIBE "c:{\"type\":\"subscribe\",\"channel\":\"bench\"}"
static const char WEBSOCKET_RESPONSE[] =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: application/websocket-events\r\n"
    "Sec-WebSocket-Extensions: grip\r\n"
    "Content-Length: 57\r\n"
    "\r\n"
    "OPEN\r\n"
    "TEXT 28\r\n" SUBSCRIBE "\r\n";
static const char *answer = RESPONSE;
static size_t answer_len = sizeof RESPONSE - 1;

struct conn { char *buf; size_t len; size_t body_left; };
static struct conn conns[MAX_FDS];
static volatile sig_atomic_t report_requested;
static long long requests;

static void on_usr1(int sig) { (void)sig; report_requested = 1; }

static size_t content_length(const char *head, size_t len) {
    static const char name[] = "\ncontent-length:";
    for (size_t i = 0; i + sizeof name - 1 < len; i++) {
        if (strncasecmp(head + i, name, sizeof name - 1) == 0)
            return (size_t)strtoull(head + i + sizeof name - 1, NULL, 10);
    }
    return 0;
}

/* Answers every complete request in the buffer; returns -1 when the connection must close. */
static int serve(int fd, struct conn *c) {
    size_t used = 0;
    for (;;) {
        if (c->body_left > 0) {
            size_t skip = c->len - used < c->body_left ? c->len - used : c->body_left;
            used += skip;
            c->body_left -= skip;
            if (c->body_left > 0) break;
        }
        char *end = memmem(c->buf + used, c->len - used, "\r\n\r\n", 4);
        if (!end) break;
        size_t head_len = (size_t)(end - (c->buf + used)) + 4;
        c->body_left = content_length(c->buf + used, head_len);
        used += head_len;
        requests++;
        if (write_all(fd, answer, answer_len) < 0) return -1;
    }
    memmove(c->buf, c->buf + used, c->len - used);
    c->len -= used;
    return c->len == BUF_BYTES ? -1 : 0;
}

static void close_conn(int fd) {
    free(conns[fd].buf);
    memset(&conns[fd], 0, sizeof conns[fd]);
    close(fd);
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "websocket") != 0)) {
        fprintf(stderr, "usage: gripbackend PORT [websocket]\n");
        return 2;
    }
    if (argc == 3) answer = WEBSOCKET_RESPONSE, answer_len = sizeof WEBSOCKET_RESPONSE - 1;
    signal(SIGPIPE, SIG_IGN);
    signal(SIGUSR1, on_usr1);
    int lfd = listen_on("127.0.0.1", atoi(argv[1]), 0);
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd};
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    struct epoll_event events[256];
    for (;;) {
        int n = epoll_wait(ep, events, 256, 1000);
        if (report_requested) {
            report_requested = 0;
            printf("requests=%lld\n", requests);
            fflush(stdout);
        }
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            if (fd == lfd) {
                int cfd;
                while ((cfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    if (cfd >= MAX_FDS) { close(cfd); continue; }
                    int one = 1;
                    setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    conns[cfd].buf = malloc(BUF_BYTES);
                    struct epoll_event cev = {.events = EPOLLIN, .data.fd = cfd};
                    epoll_ctl(ep, EPOLL_CTL_ADD, cfd, &cev);
                }
                continue;
            }
            struct conn *c = &conns[fd];
            ssize_t got = read(fd, c->buf + c->len, BUF_BYTES - c->len);
            if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) { close_conn(fd); continue; }
            if (got < 0) continue;
            c->len += (size_t)got;
            if (serve(fd, c) < 0) close_conn(fd);
        }
    }
}
