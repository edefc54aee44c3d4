#!/usr/bin/env python3
"""Five concurrent 6.5 MB publishes (24,253 items each) to a holdfast with 2 workers, while GET /healthz
is polled every 20 ms on new connections; prints the publishes' statuses, /healthz latencies and the
master's VmRSS (peak, and 3 s after). Usage: large_publishes.py BINARY ["control key = value"]
(the branch needs max_publish_bytes = 8388608; older binaries reject that key)."""
import os, shutil, socket, subprocess, sys, tempfile, threading, time
binary, extra = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else ""
def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p
port, cport = free_port(), free_port()
d = tempfile.mkdtemp()
conf = os.path.join(d, "proxy.conf")
open(conf, "w").write(f'''[server]
listen = ["127.0.0.1:{port}"]
workers = 2
[control]
listen = "127.0.0.1:{cport}"
{extra}
[[route]]
path_prefix = "/sub/"
subscribe = "sse"
''')
log = open(os.path.join(d, "log"), "w")
proc = subprocess.Popen([binary, "--config", conf], stderr=log, stdout=log)
def request(method, path, body=b"", timeout=60):
    s = socket.create_connection(("127.0.0.1", cport), timeout=timeout)
    s.sendall(f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk: break
        data += chunk
    s.close()
    return data.split(b" ", 2)[1].decode() if data else "none"
for _ in range(100):
    try:
        if request("GET", "/healthz", timeout=1) == "200": break
    except OSError: pass
    time.sleep(0.05)
def rss():
    for line in open(f"/proc/{proc.pid}/status"):
        if line.startswith("VmRSS"): return int(line.split()[1]) // 1024
item = '{"channel": "c7", "id": "12345", "formats": {"http-response": {"code": 200, "headers": {"X-A": "b"}, "body": "hello world hello world hello world hello world hello world hello world"}, "http-stream": {"content": "event: x\\ndata: hello world hello world hello\\n\\n"}}}'
body = ("{\"items\": [" + ", ".join([item] * (6_500_000 // (len(item) + 2))) + "]}").encode()
print(f"body {len(body)} bytes; master RSS before {rss()} MB")
results = []
def publish():
    t = time.monotonic(); status = request("POST", "/publish/", body); results.append((status, time.monotonic() - t))
threads = [threading.Thread(target=publish) for _ in range(5)]
start = time.monotonic()
for t in threads: t.start()
latencies, peak = [], 0
while any(t.is_alive() for t in threads):
    t0 = time.monotonic(); status = request("GET", "/healthz", timeout=30); latencies.append(time.monotonic() - t0)
    peak = max(peak, rss()); time.sleep(0.02)
for t in threads: t.join()
total = time.monotonic() - start
time.sleep(3)
after = rss()
lat = sorted(latencies)
print(f"publishes {[r[0] for r in results]} in {total:.2f} s; /healthz x{len(lat)}: median {lat[len(lat)//2]*1000:.1f} ms, max {lat[-1]*1000:.1f} ms; master RSS peak {peak} MB, 3 s after {after} MB")
proc.terminate(); proc.wait(10)
shutil.rmtree(d)
