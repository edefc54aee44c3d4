import GRIP
import HTTP1
import Wire
import XCTest
@testable import Proxy

final class ProxyHeadersTests: XCTestCase {
    func testUpstreamRequestDropsHopByHopAndClientGripHeadersAndAddsForwarding() {
        let head = RequestHead(method: "GET", target: "/x", version: .http11,
                               headers: HTTPHeaders([("Host", "example.test"), ("Connection", "keep-alive, X-Drop"), ("X-Drop", "1"),
                                                     ("TE", "trailers"), ("Grip-Hold", "stream"), ("X-Forwarded-For", "10.0.0.1"),
                                                     ("X-Keep", "yes")]),
                               framing: .none, keepAlive: true)
        let text = String(decoding: ProxyHeaders.upstreamRequest(head, clientIP: "127.0.0.1", scheme: "http", gripSignature: "sig",
                                                                  bodyFraming: .none, backendAddress: "10.0.0.9:9000"), as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("GET /x HTTP/1.1\r\n"))
        for absent in ["Connection:", "X-Drop:", "TE:", "Grip-Hold:"] { XCTAssertFalse(text.contains(absent), absent) }
        for present in ["Host: example.test", "X-Keep: yes", "X-Forwarded-For: 10.0.0.1, 127.0.0.1", "X-Forwarded-Proto: http",
                        "X-Forwarded-Host: example.test", "Via: 1.1 holdfast", "Grip-Sig: sig"] {
            XCTAssertTrue(text.contains(present), present)
        }
    }

    func testClientResponseDropsGripHeadersAndStatesItsFraming() {
        let text = String(decoding: ProxyHeaders.clientResponse(status: 200, reason: "OK",
                                                                 headers: HTTPHeaders([("Grip-Hold", "response"), ("Content-Length", "9"),
                                                                                       ("Keep-Alive", "timeout=5"), ("X-App", "a")]),
                                                                 framing: .chunked, keepAlive: false, cors: nil), as: UTF8.self)
        XCTAssertFalse(text.contains("Grip-"))
        XCTAssertFalse(text.contains("Content-Length"))
        XCTAssertFalse(text.contains("Keep-Alive"))
        XCTAssertTrue(text.contains("Transfer-Encoding: chunked"))
        XCTAssertTrue(text.contains("Connection: close"))
        XCTAssertTrue(text.contains("X-App: a"))
    }

    /// An upgrade keeps `Upgrade` and `Connection` (and nothing the client's Connection named); so does its 101.
    func testUpgradeKeepsItsHopByHopFields() {
        let head = RequestHead(method: "GET", target: "/ws", version: .http11,
                               headers: HTTPHeaders([("Host", "a"), ("Upgrade", "WebSocket"), ("Connection", "Upgrade, X-Drop"),
                                                     ("X-Drop", "1"), ("Sec-WebSocket-Key", "k")]),
                               framing: .none, keepAlive: true)
        let request = String(decoding: ProxyHeaders.upstreamRequest(head, clientIP: "127.0.0.1", scheme: "http", gripSignature: "s",
                                                                     bodyFraming: .none, backendAddress: "b", upgrade: "websocket"),
                             as: UTF8.self)
        for present in ["Connection: Upgrade\r\n", "Upgrade: websocket\r\n", "Sec-WebSocket-Key: k\r\n"] {
            XCTAssertTrue(request.contains(present), present)
        }
        XCTAssertFalse(request.contains("X-Drop"))
        let response = String(decoding: ProxyHeaders.clientResponse(status: 101, reason: "Switching Protocols",
                                                                     headers: HTTPHeaders([("Upgrade", "websocket"), ("Connection", "upgrade"),
                                                                                           ("Sec-WebSocket-Accept", "x")]),
                                                                     framing: .none, keepAlive: true, cors: nil, upgrade: "websocket"),
                              as: UTF8.self)
        XCTAssertTrue(response.hasPrefix("HTTP/1.1 101 Switching Protocols\r\n"))
        for present in ["Connection: Upgrade\r\n", "Upgrade: websocket\r\n", "Sec-WebSocket-Accept: x\r\n"] {
            XCTAssertTrue(response.contains(present), present)
        }
        XCTAssertEqual(response.components(separatedBy: "Upgrade: ").count, 2, "one Upgrade field")
    }

    /// The exact bytes, field order included: what is kept stays in place, what Holdfast adds follows.
    func testUpstreamRequestBytesKeepTheClientOrderThenTheForwardingFields() {
        let head = RequestHead(method: "POST", target: "/x?y", version: .http11,
                               headers: HTTPHeaders([("Host", "example.test"), ("Connection", "keep-alive, X-Drop"), ("X-Drop", "1"),
                                                     ("X-Forwarded-For", "10.0.0.1"), ("Via", "1.0 edge"), ("X-Keep", "yes"),
                                                     ("X-Forwarded-Host", "spoofed"), ("grip-sig", "forged"), ("Content-Length", "5"),
                                                     ("X-Forwarded-For", "10.0.0.2")]),
                               framing: .contentLength(5), keepAlive: true)
        let text = String(decoding: ProxyHeaders.upstreamRequest(head, clientIP: "127.0.0.1", scheme: "http", gripSignature: "sig",
                                                                  bodyFraming: .contentLength(5), backendAddress: "10.0.0.9:9000"),
                          as: UTF8.self)
        XCTAssertEqual(text, "POST /x?y HTTP/1.1\r\nHost: example.test\r\nX-Keep: yes\r\n"
                           + "X-Forwarded-For: 10.0.0.1, 127.0.0.1\r\nX-Forwarded-Proto: http\r\nX-Forwarded-Host: example.test\r\n"
                           + "Via: 1.0 edge, 1.1 holdfast\r\nGrip-Sig: sig\r\nContent-Length: 5\r\n\r\n")
    }

    func testAForwardingFieldTheClientNamesInConnectionIsNotCarriedOver() {
        let head = RequestHead(method: "GET", target: "/", version: .http10,
                               headers: HTTPHeaders([("Connection", "X-Forwarded-For,Host"), ("X-Forwarded-For", "10.0.0.1"),
                                                     ("Host", "app.test")]),
                               framing: .none, keepAlive: false)
        let text = String(decoding: ProxyHeaders.upstreamRequest(head, clientIP: "127.0.0.1", scheme: "http", gripSignature: "sig",
                                                                  bodyFraming: .chunked, backendAddress: "10.0.0.9:9000"), as: UTF8.self)
        XCTAssertEqual(text, "GET / HTTP/1.1\r\nX-Forwarded-For: 127.0.0.1\r\nX-Forwarded-Proto: http\r\n"
                           + "X-Forwarded-Host: app.test\r\nVia: 1.0 holdfast\r\nGrip-Sig: sig\r\nTransfer-Encoding: chunked\r\n\r\n")
    }

    func testClientResponseBytesKeepTheBackendOrderThenCORSThenHoldfastsFields() {
        let cors = CORSHeaders(fields: [.init(name: "Access-Control-Allow-Origin", value: "https://a.test"),
                                        .init(name: "Vary", value: "Origin")])
        let headers = HTTPHeaders([("Server", "nginx"), ("Connection", "keep-alive"), ("Access-Control-Allow-Origin", "*"),
                                   ("Grip-X", "1"), ("Content-Length", "6"), ("Via", "1.1 app"), ("Keep-Alive", "timeout=5"),
                                   ("X-App", "a")])
        let text = String(decoding: ProxyHeaders.clientResponse(status: 200, reason: "OK", headers: headers, framing: .contentLength(6),
                                                                 keepAlive: false, cors: cors), as: UTF8.self)
        XCTAssertEqual(text, "HTTP/1.1 200 OK\r\nServer: nginx\r\nVia: 1.1 app\r\nX-App: a\r\n"
                           + "Access-Control-Allow-Origin: https://a.test\r\nVary: Origin\r\nVia: 1.1 holdfast\r\n"
                           + "Content-Length: 6\r\nConnection: close\r\n\r\n")
        let withoutCORS = String(decoding: ProxyHeaders.clientResponse(status: 200, reason: "OK", headers: headers, framing: .none,
                                                                        keepAlive: true, cors: nil), as: UTF8.self)
        XCTAssertEqual(withoutCORS, "HTTP/1.1 200 OK\r\nServer: nginx\r\nAccess-Control-Allow-Origin: *\r\nVia: 1.1 app\r\n"
                                  + "X-App: a\r\nVia: 1.1 holdfast\r\n\r\n")
    }

    private func upstreamHead(_ headers: [(String, String)]) -> RequestHead {
        RequestHead(method: "GET", target: "/x", version: .http10, headers: HTTPHeaders(headers), framing: .none, keepAlive: false)
    }

    func testAnHTTP10RequestWithoutHostIsForwardedWithTheBackendAddress() {
        for headers in [[], [("Host", "")]] {
            let text = String(decoding: ProxyHeaders.upstreamRequest(upstreamHead(headers), clientIP: "127.0.0.1",
                                                                     scheme: "http", gripSignature: "sig", bodyFraming: .none,
                                                                     backendAddress: "127.0.0.1:9000"), as: UTF8.self)
            XCTAssertTrue(text.hasPrefix("GET /x HTTP/1.1\r\n"))
            XCTAssertEqual(text.components(separatedBy: "\r\nHost: ").count, 2, text)
            XCTAssertTrue(text.contains("\r\nHost: 127.0.0.1:9000\r\n"), text)
        }
        let withHost = String(decoding: ProxyHeaders.upstreamRequest(upstreamHead([("Host", "app.test")]),
                                                                     clientIP: "127.0.0.1", scheme: "http", gripSignature: "sig",
                                                                     bodyFraming: .none, backendAddress: "127.0.0.1:9000"), as: UTF8.self)
        XCTAssertTrue(withHost.contains("\r\nHost: app.test\r\n"))
        XCTAssertFalse(withHost.contains("127.0.0.1:9000"))
        // An empty Host is still the client's Host: its own X-Forwarded-Host is replaced by it.
        let emptyHost = String(decoding: ProxyHeaders.upstreamRequest(upstreamHead([("Host", ""), ("X-Forwarded-Host", "spoofed")]),
                                                                      clientIP: "127.0.0.1", scheme: "http", gripSignature: "sig",
                                                                      bodyFraming: .none, backendAddress: "127.0.0.1:9000"), as: UTF8.self)
        XCTAssertFalse(emptyHost.contains("spoofed"), emptyHost)
        XCTAssertTrue(emptyHost.contains("\r\nX-Forwarded-Host: \r\n"), emptyHost)
    }
}

final class RequestTargetTests: XCTestCase {
    private func head(_ target: String, host: String?) -> RequestHead {
        RequestHead(method: "GET", target: target, version: .http11, headers: HTTPHeaders(host.map { [("Host", $0)] } ?? []),
                    framing: .none, keepAlive: true)
    }

    func testHostAndPathComeFromHostAndTheOriginFormTarget() {
        XCTAssertEqual(RequestTarget.hostAndPath(head("/a/b?c=1", host: "Example.ORG:8080")).host, "example.org")
        XCTAssertEqual(RequestTarget.hostAndPath(head("/a/b?c=1", host: nil)).path, "/a/b")
        XCTAssertEqual(RequestTarget.hostAndPath(head("/", host: "[::1]:8080")).host, "[::1]")
    }

    func testAbsoluteFormSplitsIntoAuthorityAndOriginForm() {
        let split = RequestTarget.originForm(of: "http://api.example.org:81/v1/x?y")
        XCTAssertEqual(split.authority, "api.example.org:81")
        XCTAssertEqual(split.target, "/v1/x?y")
        XCTAssertEqual(RequestTarget.originForm(of: "http://h.example").target, "/")
        XCTAssertEqual(RequestTarget.originForm(of: "https://h.example?q=1").target, "/?q=1")
        XCTAssertEqual(RequestTarget.originForm(of: "http://[::1]:8080/p").authority, "[::1]:8080")
        for other in ["/a?b=http://c", "*", "h.example:443"] {
            XCTAssertNil(RequestTarget.originForm(of: other).authority, other)
            XCTAssertEqual(RequestTarget.originForm(of: other).target, other)
        }
    }

    func testAStreamContinuationFetchesTheLinkPathFromTheSameHost() {
        let relative = StreamContinuation(link: GripLink(url: "/next?after=7", timeout: nil), host: "app.test", keepAlive: true,
                                          chunked: true, route: 0, backend: 1, authSubject: "alice", tokenExpiry: nil).request
        XCTAssertEqual(relative.target, "/next?after=7")
        XCTAssertEqual(relative.headers["host"], "app.test")
        XCTAssertEqual(relative.headers["holdfast-auth-subject"], "alice")
        let absolute = StreamContinuation(link: GripLink(url: "http://other:9/p", timeout: nil), host: "h", keepAlive: false,
                                          chunked: false, route: 0, backend: 0, authSubject: nil, tokenExpiry: nil).request
        XCTAssertEqual(absolute.target, "/p")
        XCTAssertEqual(absolute.version, .http10)
    }
}

final class ProcessFrameTests: XCTestCase {
    func testEveryFrameSurvivesItsEncoding() throws {
        let masterFrames: [MasterFrame] = [
            .configure(fileName: "proxy.conf", text: "[server]\n", backendsUp: [true, false],
                       certificates: [CertificatePEM(certificate: Array("cert".utf8), privateKey: Array("key".utf8))]),
            .publish(firstID: 42, batches: [PublishCodec.encode([PublishRequest.shorthand(channel: "c", body: [0, 255, 10])]), []]),
            .backendHealth(up: [false]), .statsRequest(id: 7), .retire, .drain,
            .history(id: 3, items: PublishCodec.encode([PublishRequest.shorthand(channel: "c", body: [1])])),
        ]
        for frame in masterFrames { XCTAssertEqual(try MasterFrame(decoding: frame.encoded()), frame) }

        var stats = WorkerStats()
        stats.clientConnections = 3
        stats.heldSSE = 2
        stats.poolIdle = [1, 0]
        stats.poolBusy = [0, 4]
        stats.tunnels = [7, 0]
        stats.requests[WorkerStats.RequestKey(route: -1, status: 404)] = 9
        stats.timeouts["hold"] = 5
        stats.subscribersDropped["slow_reader"] = 1
        stats.tlsHandshakeFailures["timeout"] = 2
        stats.tlsHandshakes["holdfast"] = 5
        stats.webSocketFramesIn = 4
        stats.webSocketBytesOut = 60
        stats.webSocketCloses["1001"] = 3
        stats.tlsHeapBytes = 65536
        let workerFrames: [WorkerFrame] = [.publishAck(firstID: 42, delivered: [500, 0]), .stats(id: 7, stats), .backendFailed(index: 2),
                                           .backendSucceeded(index: 0), .channelActive("news"), .channelIdle("news"),
                                           .historyRequest(id: 3, channel: "news", afterID: "17")]
        for frame in workerFrames { XCTAssertEqual(try WorkerFrame(decoding: frame.encoded()), frame) }
    }

    func testTruncatedOrUnknownFramesAreRefused() {
        let encoded = MasterFrame.configure(fileName: "f", text: "t", backendsUp: [true], certificates: []).encoded()
        XCTAssertThrowsError(try MasterFrame(decoding: Array(encoded.dropLast())))
        XCTAssertThrowsError(try MasterFrame(decoding: [99]))
        XCTAssertThrowsError(try WorkerFrame(decoding: WorkerFrame.backendFailed(index: 1).encoded() + [0]))
    }

    /// Counts come from another process: one that is corrupt (all ones, once read as -1) is an error, not a trap.
    func testCorruptCountsAreRefused() {
        XCTAssertThrowsError(try MasterFrame(decoding: [3] + [UInt8](repeating: 0xFF, count: 8)))
        var stats = WorkerFrame.stats(id: 1, WorkerStats()).encoded()
        // The first count after the seven gauges, the four WebSocket counters, the TLS heap's bytes and the
        // sketch: idle pool connections.
        let countOffset = 1 + 8 + 12 * 8 + 4 + ChannelSketch.registerCount
        stats.replaceSubrange(countOffset..<(countOffset + 4), with: [0xFF, 0xFF, 0xFF, 0xFF])
        XCTAssertThrowsError(try WorkerFrame(decoding: stats)) { error in
            XCTAssertTrue((error as? WireError)?.reason.hasPrefix("idle pool connections expected at most") == true, "\(error)")
        }
    }
}

final class InternTableTests: XCTestCase {
    func testEqualValuesShareOneCopyAndTheTableStaysBounded() {
        var table = InternTable<[String]>(capacity: 2)
        let first = table.intern(["a", "b"])
        let second = table.intern(["a", "b"])
        first.withUnsafeBufferPointer { a in second.withUnsafeBufferPointer { b in XCTAssertEqual(a.baseAddress, b.baseAddress) } }
        _ = table.intern(["c"])
        _ = table.intern(["d"])
        XCTAssertEqual(table.intern(["d"]), ["d"])
    }
}
