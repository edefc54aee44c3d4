import Foundation
import Glibc
import XCTest

/// How client connections live and end, against the real binary: deadlines that bytes cannot
/// move, held clients whose input is bounded and whose close is seen at once, backpressure on
/// clients that pipeline without reading, and backends that cannot take a worker down.
final class ClientLifecycleTests: ScenarioTestCase {
    /// A hold's deadline is absolute: a client trickling bytes while held still gets its timeout answer.
    func testHoldTimeoutFiresWhileTheClientSendsBytes() throws {
        let proxy = try startProxy()
        let client = try proxy.client()
        let started = ContinuousClock.now
        try client.sendRequest("GET", holdTarget(channels: "quiet", [("timeout", "2")]))
        try proxy.control.waitUntilHeld(1)
        var answered = false
        while !answered && started.duration(to: .now) < .seconds(8) {
            try client.send("x")
            answered = client.unreadByteCount(waiting: .milliseconds(300)) > 0
        }
        let elapsed = started.duration(to: .now)
        XCTAssertTrue(answered, "the held long-poll expected its timeout answer while the client sent a byte every 0.3 s")
        XCTAssertLessThan(elapsed, .milliseconds(3500), "Grip-Timeout: 2 expected to answer after about 2 s, took \(elapsed)")
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "timeout app\n")
    }

    /// A held client that sends more than a head may hold, then closes, is freed at once: nothing
    /// is published to its channel, so only the proxy noticing the close can free it.
    func testHeldClientFloodingThenClosingIsFreedWithoutAPublish() throws {
        let proxy = try startProxy()
        let client = try proxy.client()
        try client.sendRequest("GET", holdTarget(channels: "quiet"))
        try proxy.control.waitUntilHeld(1)
        let openWhileHeld = try XCTUnwrap(proxy.workerPIDs().first.map(openFileCount))
        try? client.send([UInt8](repeating: UInt8(ascii: "j"), count: 100_000))
        client.resetOnRelease()
        _ = consume client
        try eventually("the flooding client's connection and subscription are gone") {
            let status = try proxy.control.status()
            let connections = status["connections"] as? [String: Any]
            return connections?["clients"] as? Int == 0 && connections?["held"] as? Int == 0 && status["subscribers"] as? Int == 0
        }
        XCTAssertEqual(try proxy.control.metric("holdfast_subscribers_dropped_total", labels: #"reason="client_input""#), 1)
        XCTAssertEqual(proxy.workerPIDs().first.map(openFileCount), openWhileHeld - 1, "the client's descriptor expected closed")
    }

    /// What a held client sends is kept up to a head's worth and served after the hold: a long-poll
    /// with the next request pipelined behind it gets both answers, in order.
    func testRequestPipelinedBehindAHoldIsServedAfterIt() throws {
        let proxy = try startProxy()
        let client = try proxy.client()
        try client.send(HTTPClient.requestBytes("GET", holdTarget(channels: "pipe")) + HTTPClient.requestBytes("GET", "/echo"))
        try proxy.control.waitUntilHeld(1)
        XCTAssertEqual(try proxy.control.publishShorthand(channel: "pipe", body: "published"), 1)
        let first = try client.readResponse()
        XCTAssertEqual(String(decoding: first.body, as: UTF8.self), "published")
        let second = try client.readResponse()
        XCTAssertEqual(second.status, 200)
        XCTAssertTrue(String(decoding: second.body, as: UTF8.self).contains("\"path\": \"/echo\""))
    }

    /// A held stream's input is bounded however many messages it is sent: past a head's worth it is cut.
    func testHeldStreamInputIsBoundedAcrossPublishes() throws {
        let proxy = try startProxy { $0.server["max_header_bytes"] = 8192 }
        let client = try proxy.client()
        try client.sendRequest("GET", holdTarget(mode: "stream", channels: "feed"))
        _ = try client.readResponseHead()
        try proxy.control.waitUntilHeld(1)
        try client.send([UInt8](repeating: UInt8(ascii: "a"), count: 6000))
        for index in 0..<3 {
            XCTAssertEqual(try proxy.control.publish(items: [httpStreamItem(channel: "feed", content: "m\(index)\n")]), 1)
            _ = try client.readStream(until: "m\(index)") { $0.contains("m\(index)") }
        }
        XCTAssertEqual(try proxy.control.heldConnections(), 1, "6,000 bytes are within a head's worth: still held")
        try client.send([UInt8](repeating: UInt8(ascii: "b"), count: 6000))
        XCTAssertTrue(client.isClosedByPeer(timeout: .seconds(5)), "12,000 bytes from a held client expected to cut it")
        try proxy.control.waitUntilHeld(0)
    }

    /// A client that pipelines requests and never reads is not read any further: the backend sees
    /// only the few requests whose answers fit the buffers, and the worker does not grow.
    func testClientPipeliningWithoutReadingIsNotReadFurther() throws {
        let proxy = try startProxy()
        let worker = try XCTUnwrap(proxy.workerPIDs().first)
        let before = try residentBytes(of: worker)
        let client = try HTTPClient(port: proxy.port, receiveBufferBytes: 4096)
        let request = HTTPClient.requestBytes("GET", "/length?bytes=50000")
        try client.send(Array(repeating: request, count: 2000).flatMap { $0 })
        try eventually("the backend stops getting requests", timeout: .seconds(10)) {
            let first = try backend.stats().requests
            usleep(500_000)
            return try backend.stats().requests == first
        }
        let served = try backend.stats().requests
        XCTAssertLessThan(served, 400, "2,000 pipelined 50 KB answers expected to stop at the output limit, \(served) were fetched")
        let growth = try residentBytes(of: worker) - before
        XCTAssertLessThan(growth, 40_000_000, "worker grew by \(growth) bytes for a client that does not read")
        // Once the client reads what it was sent, the pipeline goes on.
        var read = 0
        while try backend.stats().requests == served && read <= served {
            XCTAssertEqual(try client.readResponse(timeout: .seconds(10)).body.count, 50_000)
            read += 1
        }
        XCTAssertGreaterThan(try backend.stats().requests, served, "reading \(read) answers expected to resume the pipeline")
    }

    /// A client that stops reading altogether is cut once our output has waited `client_idle`
    /// (nginx's `send_timeout`): it cannot keep its connection forever by pipelining and never reading.
    func testClientThatNeverReadsIsCutAfterTheIdleTimeout() throws {
        let proxy = try startProxy { $0.timeouts["client_idle"] = "2s" }
        let client = try HTTPClient(port: proxy.port, receiveBufferBytes: 4096)
        try client.send(Array(repeating: HTTPClient.requestBytes("GET", "/length?bytes=50000"), count: 200).flatMap { $0 })
        let clients = { (try proxy.control.status()["connections"] as? [String: Any])?["clients"] as? Int }
        try eventually("the client's answers pile up unread") { try backend.stats().requests > 0 && clients() == 1 }
        let started = ContinuousClock.now
        try eventually("the non-reading client is cut", timeout: .seconds(10)) { try clients() == 0 }
        XCTAssertGreaterThan(started.duration(to: .now), .milliseconds(1500), "cut before client_idle passed")
        XCTAssertEqual(try proxy.control.metric("holdfast_timeouts_total", labels: #"kind="client_send""#), 1)
    }

    /// A backend whose response head and a broken chunk arrive in one read cuts that client only;
    /// the worker survives, and its held clients with it.
    func testBackendSendingABrokenChunkWithItsHeadCannotCrashTheWorker() throws {
        let proxy = try startProxy()
        let workers = proxy.workerPIDs()
        let held = try proxy.client()
        try held.sendRequest("GET", holdTarget(channels: "survivor"))
        try proxy.control.waitUntilHeld(1)
        let victim = try proxy.client()
        try victim.sendRequest("GET", "/raw/bad-chunk")
        XCTAssertTrue(victim.isClosedByPeer(timeout: .seconds(5)), "a broken response body expected to end the client's connection")
        XCTAssertEqual(proxy.workerPIDs(), workers, "the worker expected to survive a broken backend response")
        XCTAssertEqual(try proxy.control.publishShorthand(channel: "survivor", body: "alive"), 1)
        XCTAssertEqual(String(decoding: try held.readResponse().body, as: UTF8.self), "alive")
    }

    /// A connect failure with requests queued behind it lets the next one try a connection at once:
    /// it fails fast (502), instead of waiting out the queue timeout for a 503.
    func testQueuedRequestsTryAConnectionWhenOneFails() throws {
        let blackhole = try FullBacklogListener()
        let proxy = try startProxy { config in
            config.backend.port = blackhole.port
            config.backend.settings["max_connections"] = 1
            config.backend.health = ["interval": "1m"]
            config.timeouts["upstream_connect"] = "500ms"
            config.timeouts["queue"] = "20s"
        }
        let clients = try (0..<2).map { _ in try proxy.client() }
        let started = ContinuousClock.now
        for client in clients { try client.sendRequest("GET", "/") }
        for client in clients { XCTAssertEqual(try client.readResponse(timeout: .seconds(5)).status, 502) }
        XCTAssertLessThan(started.duration(to: .now), .seconds(3), "both requests expected to fail after their own connect timeouts")
    }

    /// `channels.history_ttl` below a second is kept as given, not rounded to nothing.
    func testSubSecondHistoryTTLReplaysWithinItAndForgetsAfter() throws {
        let proxy = try startProxy { config in
            config.channels = ["history_ttl": "800ms"]
            config.routes.insert(["path_prefix": "/events/", "subscribe": "longpoll"], at: 0)
        }
        XCTAssertEqual(try proxy.control.publish(items: [httpResponseItem(channel: "ttl", body: "one", id: "1"),
                                                          httpResponseItem(channel: "ttl", body: "two", id: "2")]), 0)
        let replay = try proxy.client().get("/events/ttl", headers: [("Last-Event-ID", "1")])
        XCTAssertEqual(String(decoding: replay.body, as: UTF8.self), "two", "the message after id 1 expected from history")
        usleep(1_200_000)
        let late = try proxy.client()
        try late.sendRequest("GET", "/events/ttl", headers: [("Last-Event-ID", "1")])
        try proxy.control.waitUntilHeld(1)  // nothing to replay: it waits for the next message
    }
}

/// A loopback listener that never accepts, with its accept queue full: connecting to it hangs.
private final class FullBacklogListener {
    let port: UInt16
    private let fd: Int32
    private let fillers: [Int32]

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound, listen(fd, 0) == 0 else { throw SocketError("bind/listen") }
        port = UInt16(bigEndian: address.sin_port)
        var fillers: [Int32] = []
        // Fill the queue; later SYNs are dropped and their connects hang until they time out.
        for _ in 0..<2 {
            let filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            var target = address
            _ = withUnsafePointer(to: &target) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(filler, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            fillers.append(filler)
        }
        self.fillers = fillers
        usleep(100_000)
    }

    deinit {
        for filler in fillers { close(filler) }
        close(fd)
    }
}

private func residentBytes(of pid: pid_t) throws -> Int {
    let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
    guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
          let kilobytes = Int(line.split(separator: " ")[1]) else {
        throw HarnessError("/proc/\(pid)/status expected a VmRSS line, it had none")
    }
    return kilobytes * 1024
}

private func openFileCount(_ pid: pid_t) -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0
}
