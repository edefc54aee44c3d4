/*
 * Opens N keep-alive connections to 127.0.0.1:PORT from source address SRC, sends one request on
 * each, reads its response, then keeps them all open and idle.
 * Prints "ready N" (or "failed: why") on stdout once every connection has its response, then
 * waits until stdin closes or a line arrives before closing them.
 * Usage: idleconns PORT N SRC
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

static const char request[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
enum { connecting, sent, answered };

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int fail(const char *what, int err) {
    printf("failed: %s: %s\n", what, strerror(err));
    fflush(stdout);
    return 1;
}

/* The response is answered once its head and the Content-Length body that follows are in. */
static int response_complete(const char *buf, size_t len) {
    const char *end = memmem(buf, len, "\r\n\r\n", 4);
    if (!end) return 0;
    const char *cl = memmem(buf, end - buf, "ontent-Length:", 14);
    long body = cl ? strtol(cl + 14, NULL, 10) : 0;
    return (size_t)(end + 4 - buf) + (size_t)body <= len;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: idleconns PORT N SRC (got %d arguments)\n", argc - 1);
        return 2;
    }
    int port = atoi(argv[1]), n = atoi(argv[2]);
    struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons(port)};
    struct sockaddr_in src = {.sin_family = AF_INET};
    inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
    if (inet_pton(AF_INET, argv[3], &src.sin_addr) != 1) return fail("source address", EINVAL);

    int *fds = calloc(n, sizeof *fds);
    char *state = calloc(n, 1);
    char(*bufs)[512] = calloc(n, 512);
    size_t *lens = calloc(n, sizeof *lens);
    int ep = epoll_create1(0);
    if (!fds || !state || !bufs || !lens || ep < 0) return fail("setup", errno);

    /* Connect in batches so the listen backlog of the proxy is never the limit. */
    int opened = 0, done = 0;
    double deadline = now() + 120;
    struct epoll_event events[256];
    while (done < n) {
        while (opened < n && opened - done < 500) {
            int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            if (fd < 0) return fail("socket", errno);
            int one = 1;
            setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
            if (bind(fd, (struct sockaddr *)&src, sizeof src) < 0) return fail("bind", errno);
            if (connect(fd, (struct sockaddr *)&dst, sizeof dst) < 0 && errno != EINPROGRESS)
                return fail("connect", errno);
            fds[opened] = fd;
            struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN, .data.u32 = opened};
            epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
            opened++;
        }
        if (now() > deadline) {
            printf("failed: timeout with %d of %d answered\n", done, n);
            fflush(stdout);
            return 1;
        }
        int k = epoll_wait(ep, events, 256, 1000);
        for (int e = 0; e < k; e++) {
            int i = events[e].data.u32, fd = fds[i];
            if (events[e].events & (EPOLLERR | EPOLLHUP)) {
                int err = 0;
                socklen_t l = sizeof err;
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l);
                return fail("connection closed before its response", err ? err : ECONNRESET);
            }
            if (state[i] == connecting && (events[e].events & EPOLLOUT)) {
                if (write(fd, request, sizeof request - 1) != (ssize_t)(sizeof request - 1))
                    return fail("write", errno);
                state[i] = sent;
                struct epoll_event ev = {.events = EPOLLIN, .data.u32 = i};
                epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
            }
            if (state[i] == sent && (events[e].events & EPOLLIN)) {
                ssize_t r = read(fd, bufs[i] + lens[i], sizeof bufs[i] - lens[i]);
                if (r == 0) return fail("connection closed before its response", ECONNRESET);
                if (r < 0 && errno != EAGAIN) return fail("read", errno);
                if (r > 0) lens[i] += r;
                if (response_complete(bufs[i], lens[i])) {
                    state[i] = answered;
                    done++;
                    epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
                }
            }
        }
    }
    printf("ready %d\n", n);
    fflush(stdout);

    char line[16];
    (void)!read(0, line, sizeof line);

    /* Count the connections the proxy closed while idle: they would understate its memory. */
    int closed = 0;
    for (int i = 0; i < n; i++) {
        struct pollfd p = {.fd = fds[i], .events = POLLIN};
        char c;
        if (poll(&p, 1, 0) == 1 && recv(fds[i], &c, 1, MSG_PEEK) <= 0) closed++;
    }
    printf("closed-by-peer %d\n", closed);
    fflush(stdout);
    return 0;
}
