#!/usr/bin/env python3
"""Publish -> delivery latency and sequential publish rate, one instance alone against two instances
sharing a Redis (docs/architecture.md, "Several instances"). Starts its own redis-server and holdfast
processes on free loopback ports and stops them by PID.

usage: bench/cluster/latency.py [path/to/holdfast] [messages]
"""
import http.client, os, socket, statistics, subprocess, sys, tempfile, time

BINARY = sys.argv[1] if len(sys.argv) > 1 else ".build/release/holdfast"
MESSAGES = int(sys.argv[2]) if len(sys.argv) > 2 else 500


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check, what, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.02)
    raise SystemExit(f"timed out waiting for {what}")


def start_holdfast(directory, redis_port):
    port, control = free_port(), free_port()
    config = f"""[server]
listen = ["127.0.0.1:{port}"]
workers = 1
[control]
listen = "127.0.0.1:{control}"
[[backend]]
name = "app"
address = "127.0.0.1:9"
[[route]]
path_prefix = "/sse/"
subscribe = "sse"
[[route]]
path_prefix = "/"
backends = ["app"]
"""
    if redis_port:
        config += f'[cluster]\nredis = "redis://127.0.0.1:{redis_port}"\n'
    path = os.path.join(directory, f"{port}.conf")
    with open(path, "w") as f:
        f.write(config)
    process = subprocess.Popen([BINARY, "--config", path], stderr=subprocess.DEVNULL)
    wait_for(lambda: status(control, "/readyz") == 200, "holdfast ready")
    return process, port, control


def status(control, path):
    connection = http.client.HTTPConnection("127.0.0.1", control, timeout=2)
    connection.request("GET", path)
    code = connection.getresponse().status
    connection.close()
    return code


def open_sse(port, channel):
    client = socket.create_connection(("127.0.0.1", port))
    client.sendall(f"GET /sse/{channel} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += client.recv(4096)
    return client


def measure(publish_control, subscriber_port, channel, count):
    client = open_sse(subscriber_port, channel)
    time.sleep(0.5)  # the subscription reaches Redis
    publisher = http.client.HTTPConnection("127.0.0.1", publish_control)
    latencies = []
    for index in range(count):
        started = time.perf_counter()
        publisher.request("POST", f"/publish/{channel}", body=f"m{index}")
        publisher.getresponse().read()
        received = b""
        while b"\n\n" not in received:
            received += client.recv(65536)
        latencies.append(time.perf_counter() - started)
    client.close()
    started = time.perf_counter()
    for index in range(count):
        publisher.request("POST", "/publish/nobody", body="x")
        publisher.getresponse().read()
    rate = count / (time.perf_counter() - started)
    publisher.close()
    latencies.sort()
    return statistics.median(latencies) * 1000, latencies[int(len(latencies) * 0.99)] * 1000, rate


def main():
    directory = tempfile.mkdtemp()
    processes = []
    try:
        alone, alone_port, alone_control = start_holdfast(directory, None)
        processes.append(alone)
        redis_port = free_port()
        redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                                  "--appendonly", "no"], stdout=subprocess.DEVNULL)
        processes.append(redis)
        wait_for(lambda: subprocess.run(["redis-cli", "-p", str(redis_port), "PING"], capture_output=True).stdout.strip() == b"PONG",
                 "redis-server")
        a, _, a_control = start_holdfast(directory, redis_port)
        b, b_port, _ = start_holdfast(directory, redis_port)
        processes += [a, b]
        rows = [("one instance, no Redis", measure(alone_control, alone_port, "alone", MESSAGES)),
                ("two instances via Redis, delivery on the other", measure(a_control, b_port, "shared", MESSAGES))]
        print(f"{MESSAGES} sequential publishes, one SSE subscriber")
        print("| setup | publish -> event median | p99 | publishes/s (sequential, keep-alive) |")
        print("|---|---|---|---|")
        for name, (median, p99, rate) in rows:
            print(f"| {name} | {median:.2f} ms | {p99:.2f} ms | {rate:,.0f} |")
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)


main()
