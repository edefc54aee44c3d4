import Config
import EventLoop
import Glibc
@testable import Proxy
import XCTest

/// Runs `HealthProbe` against a tiny backend on 127.0.0.1 that answers every request with a fixed response.
final class MasterHealthProbeTests: XCTestCase {
    private final class CannedBackend: SocketDelegate {
        let answer: [UInt8]?
        var requests: [String] = []
        init(answer: String?) { self.answer = answer.map { Array($0.utf8) } }
        func socket(_ socket: Socket, didRead bytes: UnsafeRawBufferPointer) {
            requests.append(String(decoding: bytes, as: UTF8.self))
            guard let answer else { return }
            socket.write(answer)
            socket.closeAfterFlush()
        }
        func socketDidReadEOF(_ socket: Socket) { socket.close() }
        func socketDidTimeOut(_ socket: Socket) { socket.close() }
        func socket(_ socket: Socket, didFail error: SocketError) { socket.close() }
    }

    /// Probes a backend answering `answer` (nil: accepts and never answers; no backend: port closed).
    private func probe(answer: String?, listening: Bool = true) throws -> (HealthProbe.Outcome?, [String]) {
        let base = EventBase()
        let fd = try openListeningSocket(SocketAddress.resolve(host: "127.0.0.1", port: 0))
        var bound = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        let port = UInt16(bigEndian: bound.sin_port)
        let backend = CannedBackend(answer: answer)
        let listener = Listener(base: base, fd: fd, onAccept: { client, _ in
            let socket = Socket(base: base, fd: client, delegate: backend)
            socket.watchReadable(timeout: nil)
        }, onError: { _ in })
        if listening { listener.resume() } else { listener.close() }
        defer { if listening { listener.close() } }

        let config = BackendConfig(name: "app", address: EndpointAddress(host: "127.0.0.1", port: port), maxConnections: 1, weight: 1,
                                   health: HealthCheckConfig(path: "/health", interval: .seconds(1), timeout: .milliseconds(300), rise: 1, fall: 1))
        var outcome: HealthProbe.Outcome?
        let probe = HealthProbe(base: base, backend: config) { result in
            outcome = result
            base.stop()
        }
        let deadline = Timer(base: base) { base.stop() }
        deadline.schedule(after: .seconds(5))
        probe.start(address: try SocketAddress.resolve(host: "127.0.0.1", port: port))
        if outcome == nil { base.run() }
        deadline.cancel()
        return (outcome, backend.requests)
    }

    func testTwoHundredPassesAndTheRequestIsAPlainGet() throws {
        let (outcome, requests) = try probe(answer: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        XCTAssertEqual(outcome, .passed)
        XCTAssertEqual(requests.first?.hasPrefix("GET /health HTTP/1.1\r\nHost: 127.0.0.1:"), true, "\(requests)")
        XCTAssertEqual(requests.first?.hasSuffix("\r\nConnection: close\r\nUser-Agent: holdfast-health\r\n\r\n"), true, "\(requests)")
    }

    func testRedirectPasses() throws {
        XCTAssertEqual(try probe(answer: "HTTP/1.1 302 Found\r\nLocation: /\r\nContent-Length: 0\r\n\r\n").0, .passed)
    }

    func testServerErrorFails() throws {
        XCTAssertEqual(try probe(answer: "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n").0, .failed("status 503"))
    }

    func testRefusedConnectionFails() throws {
        XCTAssertEqual(try probe(answer: nil, listening: false).0, .failed("connection refused"))
    }

    func testSilentBackendTimesOut() throws {
        guard case let .failed(reason)? = try probe(answer: nil).0 else { return XCTFail("expected a failure") }
        XCTAssertTrue(reason.hasPrefix("no answer within"), reason)
    }
}
