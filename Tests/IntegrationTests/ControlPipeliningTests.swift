import XCTest

/// Pipelined requests on one control connection (docs/architecture.md, "The control listener"):
/// read ahead while earlier ones are published, answered strictly in request order, every message delivered.
final class ControlPipeliningTests: ScenarioTestCase {
    private let channels = ["p0", "p1", "p2"]

    /// SSE subscribers on `channels`, held; `p-none` has nobody.
    private func startSubscribed(workers: Int) throws -> (Holdfast, [HTTPClient]) {
        let proxy = try startProxy {
            $0.server["workers"] = .integer(workers)
            $0.routes.insert(["path_prefix": "/events/", "subscribe": "sse"], at: 0)
        }
        let subscribers = try channels.map { channel in
            let client = try proxy.client()
            try client.sendRequest("GET", "/events/\(channel)")
            XCTAssertEqual(try client.readResponseHead().status, 200)
            return client
        }
        try proxy.control.waitUntilHeld(channels.count)
        return (proxy, subscribers)
    }

    /// More publishes than a connection reads ahead of its answers, one `/healthz` among them (answered
    /// at once, so it must wait for the publishes before it); each answer names its own subscriber count.
    private func assertPipelinedPublishesAnsweredInOrder(workers: Int) throws {
        let (proxy, subscribers) = try startSubscribed(workers: workers)
        let count = 80
        var bytes: [UInt8] = []
        var expected: [String] = []
        for index in 0..<count {
            let channel = index % 4 == 3 ? "p-none" : channels[index % 4]
            bytes += HTTPClient.requestBytes("POST", "/publish/\(channel)", body: Array("m\(index)".utf8))
            expected.append(#"{"subscribers":\#(channel == "p-none" ? 0 : 1)}"#)
            if index == 10 {
                bytes += HTTPClient.requestBytes("GET", "/healthz")
                expected.append("ok")
            }
        }
        let control = try HTTPClient(port: proxy.controlPort)
        try control.send(bytes)

        var answers: [String] = []
        for _ in expected {
            let response = try control.readResponse()
            XCTAssertEqual(response.status, 200)
            answers.append(response.bodyText.filter { !$0.isWhitespace })
        }
        XCTAssertEqual(answers, expected)

        for (slot, subscriber) in subscribers.enumerated() {
            let events = (0..<count).filter { $0 % 4 == slot }.map { "data: m\($0)" }
            let text = try subscriber.readStream(until: "\(events.count) events") { text in
                text.components(separatedBy: "\n\n").count > events.count
            }
            let data = text.components(separatedBy: "\n").filter { $0.hasPrefix("data: ") }
            XCTAssertEqual(data, events, "channel \(channels[slot]) expected every message, in publish order")
        }
    }

    func testPipelinedPublishesAreAnsweredInOrderWithOneWorker() throws {
        try assertPipelinedPublishesAnsweredInOrder(workers: 1)
    }

    func testPipelinedPublishesAreAnsweredInOrderWithTwoWorkers() throws {
        try assertPipelinedPublishesAnsweredInOrder(workers: 2)
    }

    func testARefusalAfterPipelinedPublishesComesAfterTheirAnswersAndCloses() throws {
        let (proxy, subscribers) = try startSubscribed(workers: 1)
        let control = try HTTPClient(port: proxy.controlPort)
        try control.send(HTTPClient.requestBytes("POST", "/publish/p0", body: Array("a".utf8))
            + HTTPClient.requestBytes("POST", "/publish/p-none", body: Array("b".utf8)) + Array("NOT HTTP\r\n\r\n".utf8))

        XCTAssertEqual(try decode(PublishAnswer.self, from: control.readResponse()).subscribers, 1)
        XCTAssertEqual(try decode(PublishAnswer.self, from: control.readResponse()).subscribers, 0)
        XCTAssertEqual(try control.readResponse().status, 400)
        XCTAssertTrue(control.isClosedByPeer(timeout: .seconds(3)))
        _ = try subscribers[0].readStream(until: "the message published before the refusal") { $0.contains("data: a\n") }
    }

    func testConnectionCloseEndsThePipelineAfterItsAnswer() throws {
        let (proxy, subscribers) = try startSubscribed(workers: 1)
        let control = try HTTPClient(port: proxy.controlPort)
        try control.send(HTTPClient.requestBytes("POST", "/publish/p0", body: Array("a".utf8))
            + HTTPClient.requestBytes("POST", "/publish/p1", headers: [("Connection", "close")], body: Array("b".utf8))
            + HTTPClient.requestBytes("POST", "/publish/p2", body: Array("never".utf8)))

        XCTAssertEqual(try decode(PublishAnswer.self, from: control.readResponse()).subscribers, 1)
        let last = try control.readResponse()
        XCTAssertEqual(try decode(PublishAnswer.self, from: last).subscribers, 1)
        XCTAssertEqual(last.header("Connection")?.lowercased(), "close")
        XCTAssertTrue(control.isClosedByPeer(timeout: .seconds(3)))
        XCTAssertEqual(subscribers[2].unreadByteCount(waiting: .milliseconds(200)), 0, "the request after the close expected not to be published")
    }
}
