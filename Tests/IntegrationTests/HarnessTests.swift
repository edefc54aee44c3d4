import Foundation
import Glibc
import XCTest

/// The harness itself, against the fake backend alone: every backend.py endpoint through HTTPClient.
final class HarnessTests: XCTestCase {
    private var backend: FakeBackend!

    override func setUpWithError() throws {
        backend = try FakeBackend(name: "b1")
    }

    override func tearDown() {
        backend?.stop()
        backend = nil
    }

    private func client() throws -> HTTPClient { try HTTPClient(port: backend.port) }

    func testHealthAnswers503AfterAdminDownAnd200AfterAdminUp() throws {
        XCTAssertEqual(try client().get("/health").status, 200)
        try backend.setHealthy(false)
        XCTAssertEqual(try client().get("/health").status, 503)
        try backend.setHealthy(true)
        XCTAssertEqual(try client().get("/health").status, 200)
    }

    func testEchoShowsMethodPathHeadersAndContentLengthBody() throws {
        let response = try client().post("/echo?x=1", body: "hello world", headers: [("X-Custom", "a b")])
        let echo = try decode(EchoReply.self, from: response)
        XCTAssertEqual(echo.method, "POST")
        XCTAssertEqual(echo.path, "/echo?x=1")
        XCTAssertEqual(echo.header("x-custom"), "a b")
        XCTAssertEqual(echo.header("Host"), "localhost")
        XCTAssertEqual(echo.body, "hello world")
        XCTAssertEqual(echo.backend, "b1")
    }

    func testEchoDecodesChunkedRequestBody() throws {
        let client = try client()
        try client.send("POST /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nhello \r\n5;ext=1\r\nworld\r\n0\r\n\r\n")
        let echo = try decode(EchoReply.self, from: client.readResponse())
        XCTAssertEqual(echo.body, "hello world")
        XCTAssertEqual(echo.header("Transfer-Encoding"), "chunked")
    }

    func testKeepAliveServesTwoRequestsOnOneConnection() throws {
        let first = try client()
        let one = try decode(EchoReply.self, from: first.get("/echo"))
        let two = try decode(EchoReply.self, from: first.get("/echo"))
        let other = try decode(EchoReply.self, from: client().get("/echo"))
        XCTAssertEqual(one.connection, two.connection)
        XCTAssertNotEqual(one.connection, other.connection)
    }

    func testPipelinedRequestsAreAnsweredInOrder() throws {
        let client = try client()
        try client.send(HTTPClient.requestBytes("GET", "/echo?n=1") + HTTPClient.requestBytes("GET", "/echo?n=2"))
        XCTAssertEqual(try decode(EchoReply.self, from: client.readResponse()).path, "/echo?n=1")
        XCTAssertEqual(try decode(EchoReply.self, from: client.readResponse()).path, "/echo?n=2")
    }

    func testStreamSendsChunksDelayApart() throws {
        let client = try client()
        let start = ContinuousClock.now
        try client.sendRequest("GET", "/stream?chunks=3&delay_ms=200")
        let head = try client.readResponseHead()
        XCTAssertEqual(head.header("Transfer-Encoding"), "chunked")
        let first = try client.readBodyPart()
        let firstArrival = ContinuousClock.now - start
        var rest: [UInt8] = []
        while let part = try client.readBodyPart() { rest += part }
        let lastArrival = ContinuousClock.now - start
        XCTAssertEqual(first.map { String(decoding: $0, as: UTF8.self) }, "chunk 0\n")
        XCTAssertEqual(String(decoding: rest, as: UTF8.self), "chunk 1\nchunk 2\n")
        XCTAssertLessThan(firstArrival, .milliseconds(150))
        XCTAssertGreaterThanOrEqual(lastArrival, .milliseconds(400))
    }

    func testLengthAnswersWithThatManyPatternBytes() throws {
        let response = try client().get("/length?bytes=100000")
        XCTAssertEqual(response.header("Content-Length"), "100000")
        XCTAssertEqual(response.body, FakeBackend.patternBytes(count: 100_000))
    }

    func testCloseDelimitedBodyEndsWhenTheBackendCloses() throws {
        let client = try client()
        let response = try client.get("/close-delimited?bytes=70000")
        XCTAssertNil(response.header("Content-Length"))
        XCTAssertNil(response.header("Transfer-Encoding"))
        XCTAssertEqual(response.body, FakeBackend.patternBytes(count: 70_000))
        XCTAssertTrue(client.isClosedByPeer(timeout: .seconds(1)))
    }

    func testSlowHeadWaitsBeforeAnswering() throws {
        let (response, elapsed) = try timed { try client().get("/slow-head?delay_ms=300") }
        XCTAssertEqual(response.status, 200)
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(300))
    }

    func testStatusAnswersWithTheStatusFromThePath() throws {
        let teapot = try client().get("/status/418")
        XCTAssertEqual(teapot.status, 418)
        XCTAssertEqual(teapot.bodyText, "status 418\n")
        let noContent = try client().get("/status/204")
        XCTAssertEqual(noContent.status, 204)
        XCTAssertEqual(noContent.body, [])
    }

    func testMalformedAnswersWithAGarbageStatusLine() throws {
        XCTAssertThrowsError(try client().get("/malformed")) { error in
            guard case HTTPClientError.malformedResponse = error else { return XCTFail("expected malformedResponse, got \(error)") }
        }
    }

    func testHugeHeadIsOverOneMegabyte() throws {
        let response = try client().get("/huge-head")
        let headBytes = response.head.headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
        XCTAssertGreaterThan(headBytes, 1_048_576)
        XCTAssertEqual(response.bodyText, "huge\n")
    }

    func testHoldAnswersWithGripInstructionsAndTheSeenGripSig() throws {
        let response = try client().get("/hold?mode=stream&channels=a,b&timeout=7&status=201%20Created&keepalive=ka&link=%3C/next%3E",
                                        headers: [("Grip-Sig", "token")])
        XCTAssertEqual(response.header("Grip-Hold"), "stream")
        XCTAssertEqual(response.header("Grip-Channel"), "a,b")
        XCTAssertEqual(response.header("Grip-Timeout"), "7")
        XCTAssertEqual(response.header("Grip-Status"), "201 Created")
        XCTAssertEqual(response.header("Grip-Keep-Alive"), "ka")
        XCTAssertEqual(response.header("Grip-Link"), "</next>")
        XCTAssertEqual(response.header("X-Seen-Grip-Sig"), "token")
        XCTAssertEqual(response.bodyText, "timeout b1\n")
    }

    func testOtherPathsAnswerWithTheBackendName() throws {
        let response = try client().get("/anything/else")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.bodyText, "b1")
    }

    func testLogRecordsCompleteRequestsButNotTheTestsOwnCalls() throws {
        _ = try client().get("/echo", headers: [("X-Mark", "1")])
        _ = try client().get("/health")
        _ = try backend.stats()
        let incomplete = try client()
        try incomplete.send("POST /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
        XCTAssertTrue(incomplete.isClosedByPeer(timeout: .seconds(2)))
        let log = try backend.log()
        XCTAssertEqual(log.map(\.path), ["/echo", "/health"])
        XCTAssertEqual(log.first?.method, "GET")
        XCTAssertTrue(log.first?.headers.contains(["X-Mark", "1"]) ?? false)
        XCTAssertEqual(try backend.proxiedRequests().map(\.path), ["/echo"])
        try backend.reset()
        XCTAssertEqual(try backend.log().count, 0)
    }

    func testStatsCountConcurrentConnectionsFromTheirFirstRequest() throws {
        let clients = try (0..<3).map { _ in try client() }
        _ = try client().get("/health")
        for client in clients { XCTAssertEqual(try client.get("/echo").status, 200) }
        let busy = try backend.stats()
        XCTAssertEqual(busy.connectionsNow, 3)
        XCTAssertEqual(busy.connectionsMax, 3)
        XCTAssertEqual(busy.requests, 3)
        for client in clients { try client.send(HTTPClient.requestBytes("GET", "/echo", headers: [("Connection", "close")])) }
        for client in clients { XCTAssertTrue(client.isClosedByPeer(timeout: .seconds(2))) }
        try eventually("the backend saw the clients go") { try backend.stats().connectionsNow == 0 }
        XCTAssertEqual(try backend.stats().connectionsMax, 3)
        try backend.reset()
        XCTAssertEqual(try backend.stats().connectionsMax, 0)
    }

    func testScenarioConfigRendersEveryTable() {
        var config = ScenarioConfig(backendPort: 9000)
        config.server["max_uri_bytes"] = 64
        config.timeouts["queue"] = "200ms"
        config.backend.settings["max_connections"] = 2
        config.backend.health["interval"] = "1h"
        XCTAssertEqual(config.render(listenPort: 8080, controlPort: 5561), """
            [server]
            listen = ["127.0.0.1:8080"]
            max_uri_bytes = 64
            workers = 1

            [timeouts]
            queue = "200ms"

            [control]
            listen = "127.0.0.1:5561"

            [[backend]]
            address = "127.0.0.1:9000"
            max_connections = 2
            name = "app"

            [backend.health]
            interval = "1h"

            [[route]]
            backends = ["app"]
            path_prefix = "/"


            """)
    }

    func testControlClientSendsItsRequestsToTheControlPort() throws {
        let control = ControlClient(port: backend.port)
        XCTAssertEqual(try control.healthz().status, 200)
        XCTAssertEqual(try control.metrics(), "b1")
        XCTAssertThrowsError(try control.status(), "a body that is not a JSON object expected to be refused")
        XCTAssertEqual(try control.publish(json: #"{"items": []}"#).status, 200)
        XCTAssertEqual(try control.publish(channel: "news", body: "hello").status, 200)
        let log = try backend.log()
        XCTAssertEqual(log.map { "\($0.method) \($0.path)" }, ["GET /healthz", "GET /metrics", "GET /status", "POST /publish/", "POST /publish/news"])
        XCTAssertTrue(log[3].headers.contains(["Content-Type", "application/json"]))
    }

    func testChildPIDsFindsAChildAndStopEndsIt() throws {
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
        sleeper.arguments = ["30"]
        try sleeper.run()
        XCTAssertTrue(childPIDs(of: getpid()).contains(sleeper.processIdentifier))
        sleeper.stop()
        XCTAssertEqual(sleeper.waitForExit(timeout: .seconds(1)), 128 + SIGTERM)
        XCTAssertFalse(childPIDs(of: getpid()).contains(sleeper.processIdentifier))
    }
}
