#!/usr/bin/env python3
"""Fake backend for Holdfast's integration tests.

Writes raw bytes on asyncio streams so tests control the exact wire format.
Started as `backend.py --port 0 --name NAME`; prints `READY <port>` once listening.

Requests to /__admin/*, /__log and /__stats are the tests' own and are neither logged
nor counted. A request is logged once it has been received completely (head and body),
so a request whose body never arrives intact does not appear in /__log.
"""
import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import time
import sys
from urllib.parse import parse_qs, urlsplit

MAX_HEAD_BYTES = 4 * 1024 * 1024
PATTERN = b"abcdefghijklmnopqrstuvwxyz"
WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class MalformedRequest(Exception):
    pass


class Request:
    def __init__(self, method, target, version, headers, body):
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.body = body
        split = urlsplit(target)
        self.path = split.path
        self.query = {key: values[-1] for key, values in parse_qs(split.query).items()}

    def header(self, name):
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def wants_close(self):
        tokens = [t.strip().lower() for t in (self.header("Connection") or "").split(",")]
        if self.version == "HTTP/1.0":
            return "keep-alive" not in tokens
        return "close" in tokens

    def is_tests_own(self):
        return self.path.startswith("/__")

    def counts_as_proxied(self):
        return not self.is_tests_own() and self.path != "/health"


def pattern_bytes(count):
    repeats = count // len(PATTERN) + 1
    return (PATTERN * repeats)[:count]


def response_head(status, reason, headers):
    lines = [f"HTTP/1.1 {status} {reason}"] + [f"{k}: {v}" for k, v in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def full_response(status, reason, headers, body, close):
    headers = list(headers) + [("Content-Length", str(len(body)))]
    if close:
        headers.append(("Connection", "close"))
    return response_head(status, reason, headers) + body


def base64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def verify_grip_sig(token, key):
    """/verify-sig: whether `token` is an HS256 JWT signed with `key`, and its claims."""
    if token is None:
        return {"valid": False, "error": "no Grip-Sig header"}
    parts = token.split(".")
    if len(parts) != 3:
        return {"valid": False, "error": f"expected 3 dot-separated parts, got {len(parts)}"}
    try:
        header = json.loads(base64url_decode(parts[0]))
        claims = json.loads(base64url_decode(parts[1]))
        signature = base64url_decode(parts[2])
    except ValueError as error:
        return {"valid": False, "error": f"undecodable part: {error}"}
    expected = hmac.new(key.encode(), f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
    return {"valid": header.get("alg") == "HS256" and hmac.compare_digest(signature, expected),
            "header": header, "claims": claims, "now": int(time.time())}


async def read_chunked_body(reader):
    body = b""
    while True:
        size_line = (await reader.readuntil(b"\r\n"))[:-2]
        size_text = size_line.split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise MalformedRequest(f"chunk size expected hex digits, got {size_line!r}")
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":
                pass
            return body
        body += await reader.readexactly(size)
        if await reader.readexactly(2) != b"\r\n":
            raise MalformedRequest("chunk data expected to end with CRLF")


async def read_request(reader):
    """The next request on the connection, or None when the peer closed between requests."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    lines = head[:-4].decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3:
        raise MalformedRequest(f"request line expected 3 parts, got {lines[0]!r}")
    headers = []
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep:
            raise MalformedRequest(f"header line expected a colon, got {line!r}")
        headers.append((name, value.strip()))
    request = Request(parts[0], parts[1], parts[2], headers, b"")
    if (request.header("Transfer-Encoding") or "").lower().endswith("chunked"):
        request.body = await read_chunked_body(reader)
    elif request.header("Content-Length") is not None:
        request.body = await reader.readexactly(int(request.header("Content-Length")))
    return request


async def read_ws_frame(reader):
    """One WebSocket frame (RFC 6455 §5.2): (opcode, payload), unmasked."""
    first, second = await reader.readexactly(2)
    length = second & 0x7F
    if length == 126:
        length = int.from_bytes(await reader.readexactly(2), "big")
    elif length == 127:
        length = int.from_bytes(await reader.readexactly(8), "big")
    mask = await reader.readexactly(4) if second & 0x80 else b"\0\0\0\0"
    payload = await reader.readexactly(length)
    return first & 0x0F, bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))


def ws_frame(opcode, payload):
    """A server frame: final, unmasked."""
    length = len(payload)
    if length < 126:
        head = bytes([0x80 | opcode, length])
    elif length < 65536:
        head = bytes([0x80 | opcode, 126]) + length.to_bytes(2, "big")
    else:
        head = bytes([0x80 | opcode, 127]) + length.to_bytes(8, "big")
    return head + payload


def parse_ws_events(body):
    """application/websocket-events: NAME[ SIZE]\r\n, then SIZE bytes of content and \r\n."""
    events = []
    while body:
        line, _, body = body.partition(b"\r\n")
        name, _, size = line.partition(b" ")
        content = None
        if size:
            length = int(size, 16)
            content, body = body[:length], body[length + 2:]
        events.append((name.decode(), content))
    return events


def ws_event(name, content=None):
    if content is None:
        return name.encode() + b"\r\n"
    return f"{name} {len(content):x}\r\n".encode() + content + b"\r\n"


def describe_ws_event(name, content):
    """How the log shows an event: "OPEN", "TEXT hi", "CLOSE 1000"."""
    if name == "CLOSE" and content:
        return f"CLOSE {int.from_bytes(content[:2], 'big')}"
    return name if content is None else f"{name} {content.decode('utf-8', 'replace')}"


class Backend:
    def __init__(self, name):
        self.name = name
        self.healthy = True
        self.log = []
        self.requests = 0
        self.connections_now = 0
        self.connections_max = 0
        self.next_connection_id = 0
        self.websockets_now = 0

    async def serve_connection(self, reader, writer):
        self.next_connection_id += 1
        connection_id = self.next_connection_id
        counted = False
        try:
            while True:
                request = await read_request(reader)
                if request is None:
                    break
                if request.counts_as_proxied():
                    self.requests += 1
                    if not counted:
                        counted = True
                        self.connections_now += 1
                        self.connections_max = max(self.connections_max, self.connections_now)
                if not request.is_tests_own():
                    self.log.append({"method": request.method, "path": request.target,
                                     "headers": [[k, v] for k, v in request.headers]})
                if request.path == "/ws" and "refuse" not in request.query:
                    await self.websocket_echo(request, reader, writer)
                    break
                keep_open = await self.respond(request, connection_id, writer)
                await writer.drain()
                if not keep_open or request.wants_close():
                    break
        except (MalformedRequest, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                ConnectionError, ValueError):
            pass
        finally:
            if counted:
                self.connections_now -= 1
            writer.close()

    async def websocket_echo(self, request, reader, writer):
        """/ws: accepts the upgrade and echoes text and binary messages, answers pings, and
        returns a close; the message "close-me" makes it close first. ?greet=1 sends "hello" in
        the same write as the 101; ?tick_ms=N sends "tick" every N ms on its own."""
        key = request.header("Sec-WebSocket-Key") or ""
        accept = base64.b64encode(hashlib.sha1((key + WEBSOCKET_GUID).encode()).digest()).decode()
        head = response_head(101, "Switching Protocols",
                             [("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Accept", accept)])
        writer.write(head + (ws_frame(0x1, b"hello") if "greet" in request.query else b""))
        self.websockets_now += 1
        ticker = asyncio.ensure_future(self.tick(writer, int(request.query["tick_ms"]))) if "tick_ms" in request.query else None
        try:
            while True:
                opcode, payload = await read_ws_frame(reader)
                if opcode == 0x8:
                    writer.write(ws_frame(0x8, payload[:2]))
                    await writer.drain()
                    return
                if payload == b"close-me":
                    writer.write(ws_frame(0x8, (1000).to_bytes(2, "big")))
                    await writer.drain()
                    return
                writer.write(ws_frame(0xA, payload) if opcode == 0x9 else ws_frame(opcode, payload))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            if ticker:
                ticker.cancel()
            self.websockets_now -= 1

    @staticmethod
    async def tick(writer, interval_ms):
        while True:
            await asyncio.sleep(interval_ms / 1000)
            writer.write(ws_frame(0x1, b"tick"))

    async def respond(self, request, connection_id, writer):
        """Writes the answer; returns False when the connection must close after it."""
        close = request.wants_close()
        path, query = request.path, request.query

        def send(status, reason, body, headers=(("Content-Type", "text/plain"),)):
            writer.write(full_response(status, reason, headers, body, close))
            return True

        if path == "/health":
            return send(200, "OK", b"ok\n") if self.healthy else send(503, "Service Unavailable", b"down\n")
        if path == "/__admin/down" and request.method == "POST":
            self.healthy = False
            return send(200, "OK", b"down\n")
        if path == "/__admin/up" and request.method == "POST":
            self.healthy = True
            return send(200, "OK", b"up\n")
        if path == "/__admin/reset" and request.method == "POST":
            self.log.clear()
            self.requests = 0
            self.connections_max = self.connections_now
            return send(200, "OK", b"reset\n")
        if path == "/__log":
            return send(200, "OK", json.dumps(self.log).encode(), (("Content-Type", "application/json"),))
        if path == "/__stats":
            stats = {"connections_now": self.connections_now, "connections_max": self.connections_max,
                     "requests": self.requests, "websockets_now": self.websockets_now}
            return send(200, "OK", json.dumps(stats).encode(), (("Content-Type", "application/json"),))
        if path == "/echo":
            echo = {"method": request.method, "path": request.target,
                    "headers": [[k, v] for k, v in request.headers],
                    "body": request.body.decode("utf-8", "replace"),
                    "backend": self.name, "connection": connection_id}
            return send(200, "OK", json.dumps(echo).encode(), (("Content-Type", "application/json"),))
        if path == "/stream":
            return await self.stream(writer, int(query.get("chunks", "3")), int(query.get("delay_ms", "100")), close)
        if path == "/length":
            return send(200, "OK", pattern_bytes(int(query.get("bytes", "0"))))
        if path == "/close-delimited":
            writer.write(response_head(200, "OK", [("Content-Type", "text/plain")]))
            writer.write(pattern_bytes(int(query.get("bytes", "0"))))
            return False
        if path == "/slow-head":
            await asyncio.sleep(int(query.get("delay_ms", "1000")) / 1000)
            return send(200, "OK", b"slow\n")
        if path.startswith("/status/"):
            status = int(path[len("/status/"):])
            body = b"" if status in (204, 304) or status < 200 else f"status {status}\n".encode()
            return send(status, "Status", body)
        if path == "/malformed":
            writer.write(b"THIS IS NOT HTTP\r\n\r\n")
            return False
        if path == "/huge-head":
            filler = "x" * 1000
            headers = [(f"X-Filler-{i}", filler) for i in range(1050)]
            writer.write(full_response(200, "OK", headers, b"huge\n", True))
            return False
        if path == "/verify-sig":
            report = verify_grip_sig(request.header("Grip-Sig"), query.get("key", ""))
            return send(200, "OK", json.dumps(report).encode(), (("Content-Type", "application/json"),))
        if path == "/ws":
            # ?refuse=STATUS: the upgrade answered as a plain request.
            return send(int(query["refuse"]), "Refused", b"no websocket here\n")
        if path == "/woh" and request.method == "POST":
            return await self.websocket_over_http(request, send)
        if path == "/next":
            return send(200, "OK", query.get("body", f"next {self.name}\n").encode())
        if path == "/linked":
            headers = [("Content-Type", "text/plain"), ("Grip-Link", query.get("link", "</next>; rel=next"))]
            return send(200, "OK", query.get("body", "linked\n").encode(), headers)
        if path == "/hold":
            return send(200, "OK", query.get("body", f"timeout {self.name}\n").encode(), self.hold_headers(request))
        if path == "/own-cors":
            # A backend answering CORS itself, which Holdfast must replace where it answers CORS.
            headers = [("Content-Type", "text/plain"), ("Access-Control-Allow-Origin", "https://backend.example"),
                       ("Access-Control-Allow-Methods", "DELETE")]
            return send(200, "OK", b"own cors\n", headers)
        if path == "/auth":
            # An nginx auth_request style endpoint: the verdict is the Bearer credential's word.
            credential = (request.header("Authorization") or "").removeprefix("Bearer ")
            if credential == "ok":
                return send(204, "No Content", b"")
            if credential == "forbidden":
                return send(403, "Forbidden", b"not yours\n")
            if credential == "broken":
                return send(500, "Internal Server Error", b"oops\n")
            if credential == "slow":
                await asyncio.sleep(5)
                return send(204, "No Content", b"")
            return send(401, "Unauthorized", b"who are you\n", (("WWW-Authenticate", 'Basic realm="test"'),))
        if path == "/raw/bad-chunk":
            # Head, one good chunk and an invalid chunk-size line, in one write.
            writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n")
            return False
        return send(200, "OK", self.name.encode())

    async def websocket_over_http(self, request, send):
        """/woh: a WebSocket-over-HTTP backend (Pushpin's protocol). Accepts OPEN (?reject=STATUS refuses
        it, ?meta=VALUE answers Set-Meta-User) and echoes TEXT, except: "slow" is answered after 500 ms,
        "close" with CLOSE 4000, "disconnect" with DISCONNECT, "meta" with the Meta-User it was sent.
        A CLOSE is answered with its code. The log shows each request's events. ?grip=1 accepts the
        grip extension: messages to the client get the "m:" prefix, and "subscribe:NAME" and
        "unsubscribe:NAME" are answered with that control message, then "m:subscribed NAME"; "set-meta:VALUE"
        with a set-meta control message for User (an empty VALUE unsets it), then "m:meta set";
        "keep-alive:MODE:CONTENT" with a 1-second keep-alive control message, then "m:keep-alive set";
        "send-delayed:SECONDS:CONTENT" with a send-delayed control message, then "m:delayed set"; "flush-delayed"
        with a flush-delayed control message, then "m:flushed".
        ?keepalive=N answers OPEN with Keep-Alive-Interval: N."""
        grip = "grip" in request.query and "grip" in (request.header("Sec-WebSocket-Extensions") or "")
        prefix = b"m:" if grip else b""
        events = parse_ws_events(request.body)
        self.log[-1]["events"] = [describe_ws_event(name, content) for name, content in events]
        headers = [("Content-Type", "application/websocket-events")]
        out = b""
        for name, content in events:
            if name == "OPEN":
                if "reject" in request.query:
                    return send(int(request.query["reject"]), "Refused", b"go away\n")
                out += ws_event("OPEN")
                headers.append(("X-Open-Header", "yes"))
                if grip:
                    headers.append(("Sec-WebSocket-Extensions", "grip"))
                if "meta" in request.query:
                    headers.append(("Set-Meta-User", request.query["meta"]))
                if "keepalive" in request.query:
                    headers.append(("Keep-Alive-Interval", request.query["keepalive"]))
            elif name == "TEXT":
                if content == b"slow":
                    await asyncio.sleep(0.5)
                if content == b"close":
                    out += ws_event("CLOSE", (4000).to_bytes(2, "big") + b"bye")
                elif content == b"disconnect":
                    out += ws_event("DISCONNECT")
                elif content == b"meta":
                    out += ws_event("TEXT", prefix + (request.header("Meta-User") or "").encode())
                elif grip and content.startswith(b"keep-alive:"):
                    # keep-alive:MODE:CONTENT (an empty CONTENT turns keep-alives off)
                    mode, _, text = content[11:].decode().partition(":")
                    fields = {"type": "keep-alive", "timeout": 1, "mode": mode}
                    if text:
                        fields["content"] = text
                    out += ws_event("TEXT", b"c:" + json.dumps(fields).encode()) + ws_event("TEXT", b"m:keep-alive set")
                elif grip and content.startswith(b"send-delayed:"):
                    seconds, _, text = content[13:].decode().partition(":")
                    control = json.dumps({"type": "send-delayed", "content": text, "timeout": int(seconds)}).encode()
                    out += ws_event("TEXT", b"c:" + control) + ws_event("TEXT", b"m:delayed set")
                elif grip and content == b"flush-delayed":
                    out += ws_event("TEXT", b'c:{"type": "flush-delayed"}') + ws_event("TEXT", b"m:flushed")
                elif grip and content.startswith(b"set-meta:"):
                    control = json.dumps({"type": "set-meta", "name": "User", "value": content[9:].decode()}).encode()
                    out += ws_event("TEXT", b"c:" + control) + ws_event("TEXT", b"m:meta set")
                elif grip and content.split(b":")[0] in (b"subscribe", b"unsubscribe"):
                    action, _, channel = content.decode().partition(":")
                    control = json.dumps({"type": action, "channel": channel}).encode()
                    out += ws_event("TEXT", b"c:" + control) + ws_event("TEXT", f"m:{action}d {channel}".encode())
                else:
                    out += ws_event("TEXT", prefix + content)
            elif name == "CLOSE":
                out += ws_event("CLOSE", (content or b"")[:2])
        return send(200, "OK", out, headers)

    def hold_headers(self, request):
        query = request.query
        headers = [("Content-Type", "text/plain"),
                   ("Grip-Hold", query.get("mode", "response")),
                   ("Grip-Channel", query.get("channels", "test"))]
        for param, header in (("timeout", "Grip-Timeout"), ("status", "Grip-Status"),
                              ("keepalive", "Grip-Keep-Alive"), ("link", "Grip-Link")):
            if param in query:
                headers.append((header, query[param]))
        headers.append(("X-Seen-Grip-Sig", request.header("Grip-Sig") or ""))
        return headers

    async def stream(self, writer, chunks, delay_ms, close):
        headers = [("Content-Type", "text/plain"), ("Transfer-Encoding", "chunked")]
        if close:
            headers.append(("Connection", "close"))
        writer.write(response_head(200, "OK", headers))
        for index in range(chunks):
            if index > 0:
                await asyncio.sleep(delay_ms / 1000)
            data = f"chunk {index}\n".encode()
            writer.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            await writer.drain()
        writer.write(b"0\r\n\r\n")
        return True


async def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--name", default="backend")
    args = parser.parse_args()
    backend = Backend(args.name)
    server = await asyncio.start_server(backend.serve_connection, "127.0.0.1", args.port, limit=MAX_HEAD_BYTES)
    port = server.sockets[0].getsockname()[1]
    print(f"READY {port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
