/* Helpers shared by the held-connection benchmark programs. */
#ifndef HOLDING_COMMON_H
#define HOLDING_COMMON_H
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* RFC 6455's sample key and its accept value: every benchmark handshake uses them. */
#define WEBSOCKET_KEY "dGhlIHNhbXBsZSBub25jZQ=="
#define WEBSOCKET_ACCEPT "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

static inline int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static inline void die(const char *what) {
    perror(what);
    exit(1);
}

static inline void set_nonblocking(int fd) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) die("fcntl O_NONBLOCK");
}

static inline struct sockaddr_in loopback_address(const char *ip, int port) {
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, ip, &sa.sin_addr) != 1) {
        fprintf(stderr, "expected an IPv4 address, got \"%s\"\n", ip);
        exit(2);
    }
    return sa;
}

/* A listening TCP socket on ip:port; SO_REUSEPORT lets several processes share the port. */
static inline int listen_on(const char *ip, int port, int reuseport) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) die("socket");
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (reuseport) setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    struct sockaddr_in sa = loopback_address(ip, port);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) die("bind");
    if (listen(fd, 65535) < 0) die("listen");
    set_nonblocking(fd);
    return fd;
}

/* Writes all of buf to a blocking or non-blocking fd, spinning on EAGAIN (short buffers only). */
static inline int write_all(int fd, const char *buf, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}
/* Adds the comma-separated ports of list to ports (at most max in all); returns the new count. */
static inline int parse_ports(char *list, int *ports, int count, int max) {
    for (char *tok = strtok(list, ","); tok && count < max; tok = strtok(NULL, ",")) ports[count++] = atoi(tok);
    return count;
}
#endif
