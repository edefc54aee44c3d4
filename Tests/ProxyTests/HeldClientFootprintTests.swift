import EventLoop
import Glibc
import HTTP1
import Logging
import XCTest
@testable import Proxy

/// What every held client pays for in heap: its session (its hold inline) and socket objects stay
/// in the malloc size classes they were packed for (an added field would move one up a class).
final class HeldClientFootprintTests: XCTestCase {
    func testHeldClientObjectsKeepTheirSizeClasses() throws {
        let (runtime, session, peer) = try makeSession()
        defer { close(peer); withExtendedLifetime(runtime) {} }
        // The hold is carried inline by the session: its size decides the session's block.
        XCTAssertLessThanOrEqual(MemoryLayout<Hold>.size, 40, "Hold, token expiry included")
        XCTAssertLessThanOrEqual(MemoryLayout<ClientSession.Work>.size, 40, "Work: the hold's spare bits keep the case")
        XCTAssertLessThanOrEqual(heapBlockBytes(of: session), 104, "ClientSession, a hold inline")
        XCTAssertLessThanOrEqual(heapBlockBytes(of: session.socket), 184, "Socket, its read event inside")
        let webSocket = WebSocketHold()
        XCTAssertLessThanOrEqual(heapBlockBytes(of: webSocket), 40, "an idle WebSocket's own state: no frame reader")
        session.socket.close()
    }

    /// A WebSocket-over-HTTP client (`websocket = "grip"`) keeps its connection object and the
    /// packed handshake it replays, which clients sending the same handshake share.
    func testAWebSocketOverHTTPClientKeepsItsSizeClass() throws {
        let (runtime, session, peer) = try makeSession()
        defer { close(peer); withExtendedLifetime(runtime) {} }
        let head = RequestHead(method: "GET", target: "/ws", version: .http11, headers: HTTPHeaders([
            ("Host", "example.com"), ("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Version", "13"),
            ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
        ]), framing: .none, keepAlive: true)
        let webSocket = WebSocketOverHTTP(session: session, head: head, route: 0, backend: 0, clientIP: "127.0.0.1", cors: nil,
                                          tokenExpiry: nil)
        XCTAssertLessThanOrEqual(heapBlockBytes(of: webSocket), 152, "WebSocketOverHTTP: the rarely used fields in one optional object")
        session.socket.close()
    }

    /// A session on one end of a socket pair; the caller keeps the runtime (the session holds it
    /// unowned) and closes the other end.
    private func makeSession() throws -> (WorkerRuntime, ClientSession, peer: Int32) {
        let base = EventBase()
        let config = masterTestConfig()
        let runtime = WorkerRuntime(base: base, config: config, backendAddresses: try config.backends.map {
            try SocketAddress.resolve(host: $0.address.host, port: $0.address.port)
        }, backendUp: [true, true], logger: Logger(label: "test"))
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0, &fds), 0)
        return (runtime, ClientSession(runtime: runtime, socket: Socket(base: base, fd: fds[0])), fds[1])
    }
}
