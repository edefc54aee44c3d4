import XCTest

/// Keep-alive and pipelining on the client side, pooled reuse on the upstream side.
final class ConnectionReuseTests: ScenarioTestCase {
    func testKeepAliveServesTwoRequestsOnOneClientConnection() throws {
        let client = try startProxy().client()
        let first = try client.get("/echo?n=1")
        XCTAssertNotEqual(first.header("Connection")?.lowercased(), "close")
        let second = try client.get("/echo?n=2")
        XCTAssertEqual(try decode(EchoReply.self, from: first).path, "/echo?n=1")
        XCTAssertEqual(try decode(EchoReply.self, from: second).path, "/echo?n=2")
    }

    func testPipelinedRequestsAreAnsweredInOrder() throws {
        let client = try startProxy().client()
        try client.send(HTTPClient.requestBytes("GET", "/slow-head?delay_ms=300") + HTTPClient.requestBytes("GET", "/echo?n=2"))
        let first = try client.readResponse()
        XCTAssertEqual(first.status, 200)
        XCTAssertEqual(first.bodyText, "slow\n")
        XCTAssertEqual(try decode(EchoReply.self, from: client.readResponse()).path, "/echo?n=2")
    }

    func testSequentialRequestsFromTwoClientsReuseOnePooledUpstreamConnection() throws {
        let proxy = try startProxy()
        let first = try decode(EchoReply.self, from: proxy.client().get("/echo"))
        let second = try decode(EchoReply.self, from: proxy.client().get("/echo"))
        XCTAssertEqual(first.connection, second.connection, "the idle pooled upstream connection expected to be reused")
    }
}
