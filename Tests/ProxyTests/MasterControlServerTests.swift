import EventLoop
import Glibc
import Logging
@testable import Proxy
import XCTest

/// Drives a real `ControlServer` on 127.0.0.1 with a raw client, on one event loop, bounded by a deadline.
final class MasterControlServerTests: XCTestCase {
    private final class RawClient: SocketDelegate {
        let base: EventBase
        let request: [UInt8]
        var received: [UInt8] = []
        init(base: EventBase, request: String) {
            self.base = base
            self.request = Array(request.utf8)
        }
        func socketDidConnect(_ socket: Socket) {
            socket.write(request)
            socket.watchReadable(timeout: nil)
        }
        func socket(_ socket: Socket, didRead bytes: UnsafeRawBufferPointer) { received.append(contentsOf: bytes) }
        func socketDidReadEOF(_ socket: Socket) { finish(socket) }
        func socketDidTimeOut(_ socket: Socket) { finish(socket) }
        func socket(_ socket: Socket, didFail error: SocketError) { finish(socket) }
        private func finish(_ socket: Socket) {
            socket.close()
            base.stop()
        }
    }

    /// Sends `request` and returns everything the server wrote until it closed the connection.
    private func exchange(_ request: String) throws -> String {
        let base = EventBase()
        let server = try ControlServer(base: base, address: SocketAddress.resolve(host: "127.0.0.1", port: 0),
                                       limits: ControlLimits(config: masterTestConfig()), capacity: { 64 },
                                       logger: Logger(label: "test")) { request, reply in
            reply(.text(200, "\(request.method) \(request.target) \(String(decoding: request.body, as: UTF8.self))\n"))
        }
        defer { server.close() }
        var bound = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(server.listener.fd, $0, &length) } }
        let client = RawClient(base: base, request: request)
        _ = try Socket.connect(to: SocketAddress.resolve(host: "127.0.0.1", port: UInt16(bigEndian: bound.sin_port)),
                               base: base, timeout: .seconds(5), delegate: client)
        let deadline = Timer(base: base) { base.stop() }
        deadline.schedule(after: .seconds(10))
        base.run()
        deadline.cancel()
        return String(decoding: client.received, as: UTF8.self)
    }

    func testAnswersPipelinedKeepAliveRequestsInOrder() throws {
        let response = try exchange("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
            + "POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
            + "GET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let expected = ["POST /a hello\n", "POST /b abc\n"].map {
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: \($0.utf8.count)\r\n\r\n\($0)"
        }.joined() + "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 8\r\nConnection: close\r\n\r\nGET /c \n"
        XCTAssertEqual(response, expected)
    }

    func testMalformedRequestGetsItsStatusAndTheConnectionCloses() throws {
        let response = try exchange("GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n")
        XCTAssertTrue(response.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), response)
        XCTAssertTrue(response.contains("Connection: close\r\n"), response)
    }

    func testBodyOverMaxPublishBytesIsRefusedBeforeItIsSent() throws {
        let response = try exchange("POST /publish/a HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: \(1_048_576 + 1)\r\n\r\n")
        XCTAssertTrue(response.hasPrefix("HTTP/1.1 413 "), response)
    }

    func testChunkedBodyIsRefusedOnceItPassesMaxPublishBytes() throws {
        let chunk = String(repeating: "x", count: 65536)
        let chunks = String(repeating: "10000\r\n\(chunk)\r\n", count: 17)
        let response = try exchange("POST /publish/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks)
        XCTAssertTrue(response.hasPrefix("HTTP/1.1 413 "), String(response.prefix(200)))
    }
}
