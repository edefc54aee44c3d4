/* The floor a proxy's fan-out is compared with: W worker processes accept and hold connections
 * (reading and discarding each request); a trigger connection to the master makes it tell every
 * worker over a pipe, and each worker writes the same response bytes to every held socket.
 * With "websocket", each request is answered with a 101 (a fixed accept value: the clients send
 * a fixed key) and the trigger writes the one unmasked text frame Holdfast sends for "PUBMSG\n".
 * Usage: rawfloor PORT TRIGGER_PORT WORKERS [websocket]   (both on 127.0.0.1) */
#include "common.h"
#include <signal.h>
#include <sys/epoll.h>

#define MAX_FDS 20000

static const char RESPONSE[] =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: text/plain\r\n"
    "Content-Length: 7\r\n"
    "\r\n"
    "PUBMSG\n";

static const char HANDSHAKE[] =
    "HTTP/1.1 101 Switching Protocols\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Accept: " WEBSOCKET_ACCEPT "\r\n"
    "\r\n";
static const char FRAME[] = "\x81\x07PUBMSG\n"; /* FIN + text, 7 bytes, unmasked */

static void worker_main(int port, int trigger_fd, int websocket) {
    const char *message = websocket ? FRAME : RESPONSE;
    size_t message_len = websocket ? sizeof FRAME - 1 : sizeof RESPONSE - 1;
    static char held[MAX_FDS];
    int lfd = listen_on("127.0.0.1", port, 1);
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd};
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    ev.data.fd = trigger_fd;
    epoll_ctl(ep, EPOLL_CTL_ADD, trigger_fd, &ev);
    struct epoll_event events[512];
    for (;;) {
        int n = epoll_wait(ep, events, 512, -1);
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            if (fd == lfd) {
                int cfd;
                while ((cfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    if (cfd >= MAX_FDS) { close(cfd); continue; }
                    struct epoll_event cev = {.events = EPOLLIN | EPOLLRDHUP, .data.fd = cfd};
                    epoll_ctl(ep, EPOLL_CTL_ADD, cfd, &cev);
                }
            } else if (fd == trigger_fd) {
                char b;
                if (read(trigger_fd, &b, 1) != 1) exit(0);
                for (int h = 0; h < MAX_FDS; h++)
                    if (held[h]) write_all(h, message, message_len);
            } else {
                char buf[4096];
                ssize_t got = read(fd, buf, sizeof buf);
                if (got > 0) {
                    if (websocket && !held[fd]) write_all(fd, HANDSHAKE, sizeof HANDSHAKE - 1);
                    held[fd] = 1;
                }
                else if (got == 0 || errno != EAGAIN) {
                    held[fd] = 0;
                    close(fd);
                }
            }
        }
    }
}

int main(int argc, char **argv) {
    if (argc < 4 || argc > 5 || (argc == 5 && strcmp(argv[4], "websocket") != 0)) {
        fprintf(stderr, "usage: rawfloor PORT TRIGGER_PORT WORKERS [websocket]\n");
        return 2;
    }
    int websocket = argc == 5;
    signal(SIGPIPE, SIG_IGN);
    int workers = atoi(argv[3]);
    int pipes[256];
    if (workers < 1 || workers > 256) { fprintf(stderr, "expected 1..256 workers, got %d\n", workers); return 2; }
    int tfd = listen_on("127.0.0.1", atoi(argv[2]), 0);
    for (int w = 0; w < workers; w++) {
        int p[2];
        if (pipe(p) < 0) die("pipe");
        if (fork() == 0) {
            close(p[1]);
            close(tfd);
            worker_main(atoi(argv[1]), p[0], websocket);
        }
        close(p[0]);
        pipes[w] = p[1];
    }
    int flags = fcntl(tfd, F_GETFL);
    fcntl(tfd, F_SETFL, flags & ~O_NONBLOCK);
    for (;;) {
        int c = accept(tfd, NULL, NULL);
        if (c < 0) continue;
        char buf[1024];
        if (read(c, buf, sizeof buf) > 0) {
            for (int w = 0; w < workers; w++) write_all(pipes[w], "t", 1);
            write_all(c, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n", 59);
        }
        close(c);
    }
}
