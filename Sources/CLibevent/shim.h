#ifndef HOLDFAST_CLIBEVENT_SHIM_H
#define HOLDFAST_CLIBEVENT_SHIM_H
// sys/types.h first: Debian's event-config.h defines _GNU_SOURCE, which otherwise breaks a clean debug build.
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <event2/event.h>
#include <event2/event_struct.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <event2/util.h>

// accept4 is a GNU extension the Glibc module does not export.
extern int accept4(int fd, struct sockaddr *addr, socklen_t *addrlen, int flags);
static inline int holdfast_accept4(int fd, struct sockaddr *addr, socklen_t *addrlen, int flags) {
    return accept4(fd, addr, addrlen, flags);
}
#endif
