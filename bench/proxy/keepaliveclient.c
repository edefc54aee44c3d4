/*
 * Sends exactly TOTAL keep-alive requests over CONNECTIONS connections to 127.0.0.1:PORT, one
 * outstanding per connection (as wrk does), the same request wrk sends. Every response must be a
 * 200 with a Content-Length; anything else ends the run with an error. A fixed count, not a fixed
 * duration, so a proxy's instruction and system call counts can be divided by it exactly.
 * Prints "done TOTAL SECONDS" on stdout.
 * Usage: keepaliveclient PORT CONNECTIONS TOTAL
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { max_connections = 1000, buffer_size = 65536 };

struct connection {
    int fd;
    char buffer[buffer_size];
    size_t used;
};

static struct connection connections[max_connections];
static char request[128];
static size_t request_length;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void die(const char *what) {
    fprintf(stderr, "keepaliveclient: %s: %s\n", what, errno ? strerror(errno) : "unexpected response");
    exit(1);
}

static void send_request(int fd) {
    if (send(fd, request, request_length, MSG_NOSIGNAL) != (ssize_t)request_length) die("send");
}

/* Length of the first complete response in the buffer, 0 while incomplete. */
static size_t complete_response(const char *bytes, size_t used) {
    const char *end = memmem(bytes, used, "\r\n\r\n", 4);
    if (!end) return 0;
    size_t head = (size_t)(end - bytes) + 4;
    if (head < 12 || memcmp(bytes + 9, "200", 3) != 0) { errno = 0; die("expected status 200"); }
    const char *line = bytes;
    long length = -1;
    while (line < end) {
        const char *next = memmem(line, (size_t)(end + 2 - line), "\r\n", 2);
        if (strncasecmp(line, "content-length:", 15) == 0) length = strtol(line + 15, NULL, 10);
        line = next + 2;
    }
    if (length < 0) { errno = 0; die("expected a Content-Length"); }
    return used >= head + (size_t)length ? head + (size_t)length : 0;
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: keepaliveclient PORT CONNECTIONS TOTAL\n"); return 2; }
    int port = atoi(argv[1]), count = atoi(argv[2]);
    long total = atol(argv[3]), sent = 0, answered = 0;
    if (count < 1 || count > max_connections || total < count) { fprintf(stderr, "keepaliveclient: bad arguments\n"); return 2; }
    request_length = (size_t)snprintf(request, sizeof request, "GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n", port);

    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct pollfd polled[max_connections];
    double started = now();
    for (int i = 0; i < count; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&address, sizeof address) != 0) die("connect");
        connections[i].fd = fd;
        polled[i] = (struct pollfd){ .fd = fd, .events = POLLIN };
        send_request(fd);
        sent++;
    }
    while (answered < total) {
        if (poll(polled, (nfds_t)count, 30000) <= 0) die("poll (no response within 30 s)");
        for (int i = 0; i < count; i++) {
            if (!(polled[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            struct connection *c = &connections[i];
            ssize_t n = recv(c->fd, c->buffer + c->used, buffer_size - c->used, 0);
            if (n <= 0) { if (n == 0) errno = ECONNRESET; die("recv"); }
            c->used += (size_t)n;
            size_t length;
            while ((length = complete_response(c->buffer, c->used)) > 0) {
                memmove(c->buffer, c->buffer + length, c->used - length);
                c->used -= length;
                answered++;
                if (sent < total) { send_request(c->fd); sent++; }
            }
        }
    }
    printf("done %ld %.3f\n", answered, now() - started);
    for (int i = 0; i < count; i++) close(connections[i].fd);
    return 0;
}
