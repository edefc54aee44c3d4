import XCTest

/// The control listener's publish endpoint (docs/grip.md, docs/operations.md): refusals publish nothing; the shorthand
/// reaches every kind of hold; the token guards it.
final class GripPublishTests: ScenarioTestCase {
    func testMalformedPublishesAreRefusedAndDeliverNothing() throws {
        let proxy = try startProxy()
        let client = try proxy.client()
        try client.sendRequest("GET", holdTarget(channels: "guarded"))
        try proxy.control.waitUntilHeld(1)

        let notJSON = try proxy.control.publish(json: "{\"items\": [")
        let badCode = try proxy.control.publish(json: """
            {"items": [{"channel": "guarded", "formats": {"http-response": {"body": "valid"}}},
                       {"channel": "guarded", "formats": {"http-response": {"code": 700, "body": "bad"}}}]}
            """)

        XCTAssertEqual(notJSON.status, 400)
        XCTAssertFalse(notJSON.bodyText.isEmpty, "a 400 expected to give a reason")
        XCTAssertEqual(badCode.status, 400)
        XCTAssertTrue(badCode.bodyText.contains("items[1]") && badCode.bodyText.contains("code"),
                      "the reason expected to name items[1] and its code, got \(badCode.bodyText.debugDescription)")
        XCTAssertEqual(try proxy.control.heldConnections(), 1, "the client expected to stay held")
        XCTAssertEqual(client.unreadByteCount(waiting: .milliseconds(200)), 0, "nothing of a refused batch expected to be delivered")

        XCTAssertEqual(try proxy.control.publish(items: [httpResponseItem(channel: "guarded", body: "valid later")]), 1)
        XCTAssertEqual(try client.readResponse().bodyText, "valid later")
    }

    func testShorthandReachesLongPollsAndStreams() throws {
        let proxy = try startProxy()
        let longPoll = try proxy.client()
        try longPoll.sendRequest("GET", holdTarget(channels: "both"))
        let stream = try proxy.client()
        try stream.sendRequest("GET", holdTarget(mode: "stream", channels: "both", [("body", "opened\n")]))
        XCTAssertEqual(try stream.readResponseHead().status, 200)
        XCTAssertEqual(try stream.readStream(until: "the initial body") { $0.count >= 7 }, "opened\n")
        try proxy.control.waitUntilHeld(2)

        XCTAssertEqual(try proxy.control.publishShorthand(channel: "both", body: "hi there\n"), 2)

        let response = try longPoll.readResponse()
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.bodyText, "hi there\n")
        XCTAssertEqual(try stream.readStream(until: "the shorthand body") { $0.count >= 9 }, "hi there\n")
    }

    func testPublishTokenIsRequiredWhenConfigured() throws {
        let proxy = try startProxy { $0.control["publish_token"] = "let-me-publish" }
        let json = #"{"items": [{"channel": "c", "formats": {"http-response": {"body": "x"}}}]}"#

        let missing = try proxy.control.publish(json: json)
        let wrong = try proxy.control.publish(json: json, headers: [("Authorization", "Bearer let-me-publisH")])
        let shorthandMissing = try proxy.control.publish(channel: "c", body: "x")
        let right = try proxy.control.publish(json: json, headers: [("Authorization", "Bearer let-me-publish")])

        XCTAssertEqual(missing.status, 401)
        XCTAssertEqual(wrong.status, 401)
        XCTAssertEqual(shorthandMissing.status, 401)
        XCTAssertEqual(try decode(PublishAnswer.self, from: right).subscribers, 0)
    }
}
