#!/usr/bin/env python3
"""Holds N long-polls over TLS: tlsholdclient.py PORT N CAFILE PATH (CAFILE "-": plain TCP).

Opens the connections one after another (full handshakes, certificate verified), sends
`GET PATH` on each and prints READY. A line "count" on stdin then waits up to 20 s for the
answers to a publish and prints "DELIVERED <n>" (answers containing PUBMSG); EOF exits.
"""
import select
import socket
import ssl
import sys
import time


def main():
    port, n, cafile, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
    context = None if cafile == "-" else ssl.create_default_context(cafile=cafile)
    if context:
        context.set_alpn_protocols(["http/1.1"])
    request = ("GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n" % path).encode()
    held = []
    for _ in range(n):
        tls = socket.create_connection(("127.0.0.1", port))
        if context:
            tls = context.wrap_socket(tls, server_hostname="localhost")
        tls.sendall(request)
        held.append(tls)
    print("READY %d" % len(held), flush=True)
    for line in sys.stdin:
        if line.strip() != "count":
            continue
        pending = {tls.fileno(): tls for tls in held}
        answers = {}
        deadline = time.monotonic() + 20
        poller = select.poll()
        for fd in pending:
            poller.register(fd, select.POLLIN)
        delivered = 0
        while pending and time.monotonic() < deadline:
            for fd, _ in poller.poll(200):
                tls = pending[fd]
                try:
                    data = tls.recv(65536)
                except ssl.SSLWantReadError:
                    continue
                answers[fd] = answers.get(fd, b"") + data
                if b"PUBMSG" in answers[fd] or not data:
                    delivered += b"PUBMSG" in answers[fd]
                    poller.unregister(fd)
                    del pending[fd]
        print("DELIVERED %d" % delivered, flush=True)


if __name__ == "__main__":
    main()
