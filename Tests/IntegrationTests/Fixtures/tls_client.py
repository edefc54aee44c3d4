#!/usr/bin/env python3
"""TLS clients for the integration tests, speaking real TLS to holdfast.

tunnel:    listens on a loopback port (printed as "READY <port>") and relays every connection
           accepted there to holdfast's TLS port, so plain-TCP test clients talk HTTPS.
handshake: one handshake (optionally one request), then a JSON line: ok, version, alpn, the
           served certificate's subject CN, the answer, or the error.
"""
import argparse
import json
import select
import socket
import ssl
import sys
import threading


def client_context(args):
    context = ssl.create_default_context(cafile=args.cafile)
    context.set_alpn_protocols(["h2", "http/1.1"])
    if args.max_version:
        # Old versions need the lowest security level to be offered at all by OpenSSL 3.
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
        context.minimum_version = ssl.TLSVersion.TLSv1
        context.maximum_version = {"1.0": ssl.TLSVersion.TLSv1, "1.1": ssl.TLSVersion.TLSv1_1,
                                   "1.2": ssl.TLSVersion.TLSv1_2}[args.max_version]
    return context


def connect(args):
    raw = socket.create_connection(("127.0.0.1", args.port), timeout=args.timeout)
    return client_context(args).wrap_socket(raw, server_hostname=args.servername)


def relay(client, args):
    """One thread per connection: OpenSSL objects must not be read and written from two threads."""
    try:
        upstream = connect(args)
    except (OSError, ssl.SSLError):
        client.close()
        return
    upstream.settimeout(None)
    client.settimeout(None)
    try:
        while True:
            readable = [upstream] if upstream.pending() else select.select([client, upstream], [], [])[0]
            for source in readable:
                data = source.recv(65536)
                if not data:
                    return
                (upstream if source is client else client).sendall(data)
    except (OSError, ssl.SSLError):
        pass
    finally:
        client.close()
        upstream.close()


def tunnel(args):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(512)
    print("READY %d" % listener.getsockname()[1], flush=True)
    while True:
        client, _ = listener.accept()
        threading.Thread(target=relay, args=(client, args), daemon=True).start()


def handshake(args):
    result = {"ok": False}
    try:
        with connect(args) as tls:
            result.update(ok=True, version=tls.version(), alpn=tls.selected_alpn_protocol())
            subject = dict(pair[0] for pair in tls.getpeercert().get("subject", ()))
            result["subject_cn"] = subject.get("commonName")
            if args.request:
                tls.sendall(args.request.encode().decode("unicode_escape").encode("latin-1"))
                answer = b""
                while b"\r\n\r\n" not in answer:
                    chunk = tls.recv(65536)
                    if not chunk:
                        break
                    answer += chunk
                result["answer"] = answer.decode("latin-1")
    except (OSError, ssl.SSLError) as error:
        result["error"] = str(error)
    print(json.dumps(result), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["tunnel", "handshake"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cafile", required=True)
    parser.add_argument("--servername", default="localhost")
    parser.add_argument("--max-version", choices=["1.0", "1.1", "1.2"])
    parser.add_argument("--request", help="sent after the handshake; \\r\\n escapes allowed")
    parser.add_argument("--timeout", type=float, default=10)
    args = parser.parse_args()
    tunnel(args) if args.mode == "tunnel" else handshake(args)


if __name__ == "__main__":
    sys.exit(main())
