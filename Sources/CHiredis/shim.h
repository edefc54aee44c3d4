#ifndef HOLDFAST_CHIREDIS_SHIM_H
#define HOLDFAST_CHIREDIS_SHIM_H
// sys/types.h first, as in CLibevent's shim (Debian's event-config.h defines _GNU_SOURCE).
#include <sys/types.h>
#include <hiredis/hiredis.h>
#include <hiredis/async.h>
#include <hiredis/adapters/libevent.h>

// The adapter's functions are static; this gives Swift one to call. The base is passed untyped so the
// libevent types stay CLibevent's.
static inline int holdfast_redis_attach(redisAsyncContext *context, void *base) {
    return redisLibeventAttach(context, (struct event_base *)base);
}
#endif
