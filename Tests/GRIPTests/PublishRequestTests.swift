import GRIP
import XCTest

final class PublishRequestTests: XCTestCase {
    private func parse(_ json: String) throws -> [PublishItem] {
        try PublishRequest.parseJSON(Array(json.utf8))
    }

    private func reason(_ json: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        errorReason(PublishError.self, file: file, line: line) { try parse(json) }
    }

    func testSpecExample() throws {
        let items = try parse("""
            {"items": [{"channel": "news", "id": "8", "prev-id": "7",
                        "formats": {"http-response": {"code": 200, "headers": {"Content-Type": "text/plain"}, "body": "hello\\n"},
                                    "http-stream":   {"content": "data: hello\\n\\n"}}}]}
            """)
        XCTAssertEqual(items, [PublishItem(
            channel: "news", id: "8", prevID: "7",
            httpResponse: PublishedResponse(code: 200, headers: [.init(name: "Content-Type", value: "text/plain")], body: Array("hello\n".utf8)),
            httpStream: .content(Array("data: hello\n\n".utf8)))])
    }

    func testWebSocketMessages() throws {
        let items = try parse("""
            {"items": [{"channel": "a", "formats": {"ws-message": {"content": "hi"}}},
                       {"channel": "a", "formats": {"ws-message": {"content-bin": "AAE="}}},
                       {"channel": "a", "formats": {"ws-message": {"content-bin": "aGk=", "type": "text"}}},
                       {"channel": "a", "formats": {"ws-message": {"content": "x", "type": "binary"}}},
                       {"channel": "a", "formats": {"ws-message": {"action": "close", "code": 4000, "reason": "bye"}}},
                       {"channel": "a", "formats": {"ws-message": {"action": "close"}}}]}
            """)
        XCTAssertEqual(items.map(\.wsMessage), [.text(Array("hi".utf8)), .binary([0, 1]), .text(Array("hi".utf8)),
                                                .binary([UInt8(ascii: "x")]), .close(code: 4000, reason: "bye"), .close(code: nil, reason: "")])
        XCTAssertEqual(reason(#"{"items": [{"channel": "a", "ws-message": {}}]}"#),
                       "items[0].ws-message expected content or content-bin; got neither")
        XCTAssertEqual(reason(#"{"items": [{"channel": "a", "ws-message": {"content": "x", "type": "json"}}]}"#),
                       #"items[0].ws-message.type expected text or binary; got "json""#)
        XCTAssertEqual(reason(#"{"items": [{"channel": "a", "ws-message": {"content-bin": "/w==", "type": "text"}}]}"#),
                       "items[0].ws-message.content-bin expected UTF-8 for a text message; got other bytes")
        XCTAssertEqual(reason(#"{"items": [{"channel": "a", "ws-message": {"action": "close", "code": 999}}]}"#),
                       "items[0].ws-message.code expected a close code from 1000 to 4999; got 999")
        XCTAssertEqual(reason(#"{"items": [{"channel": "a", "ws-message": {"action": "hangup"}}]}"#),
                       #"items[0].ws-message.action expected send or close; got "hangup""#)
    }

    func testFormatsDirectlyInTheItemAsOlderLibrariesSendThem() throws {
        let items = try parse(#"{"items": [{"channel": "a", "http-stream": {"content": "x"}}]}"#)
        XCTAssertEqual(items, [PublishItem(channel: "a", httpStream: .content([UInt8(ascii: "x")]))])
    }

    func testBinaryBodiesInBase64() throws {
        let items = try parse("""
            {"items": [{"channel": "a", "formats": {"http-response": {"body-bin": "AAH/"}, "http-stream": {"content-bin": "3q2+7w=="}}}]}
            """)
        XCTAssertEqual(items.first?.httpResponse?.body, [0x00, 0x01, 0xFF])
        XCTAssertEqual(items.first?.httpStream, .content([0xDE, 0xAD, 0xBE, 0xEF]))
    }

    func testDefaultsReasonAndHeaderPairs() throws {
        let items = try parse("""
            {"items": [{"channel": "a", "formats": {"http-response": {}}},
                       {"channel": "b", "formats": {"http-response": {"code": 404, "reason": "Gone Fishing",
                        "headers": [["Set-Cookie", "a=1"], ["Set-Cookie", "b=2"]], "body": ""}}}]}
            """)
        XCTAssertEqual(items[0].httpResponse, PublishedResponse(code: 200, reason: nil, headers: [], body: []))
        XCTAssertEqual(items[1].httpResponse, PublishedResponse(
            code: 404, reason: "Gone Fishing",
            headers: [.init(name: "Set-Cookie", value: "a=1"), .init(name: "Set-Cookie", value: "b=2")], body: []))
    }

    /// Which headers reach a client is decided where the answer is sent (the worker's ProxyHeaders).
    func testHeaderObjectIsSortedAndKeptAsPublished() throws {
        let items = try parse("""
            {"items": [{"channel": "a", "formats": {"http-response": {"body": "x",
             "headers": {"X-B": "2", "Content-Length": "99", "X-A": "1", "Grip-Hold": "stream"}}}}]}
            """)
        XCTAssertEqual(items.first?.httpResponse?.headers.map(\.name), ["Content-Length", "Grip-Hold", "X-A", "X-B"])
    }

    func testCloseActionAndExplicitSend() throws {
        let items = try parse("""
            {"items": [{"channel": "a", "formats": {"http-stream": {"action": "close"}}},
                       {"channel": "b", "formats": {"http-stream": {"action": "send", "content": "y"}}}]}
            """)
        XCTAssertEqual(items.map(\.httpStream), [.close, .content([UInt8(ascii: "y")])])
    }

    func testUnknownFieldsAndOtherFormatsAreIgnored() throws {
        let items = try parse("""
            {"items": [{"channel": "a", "meta": {"k": "v"}, "formats": {"xmpp-message": {"content": "w"}, "http-stream": {"content": "s"}}}]}
            """)
        XCTAssertEqual(items, [PublishItem(channel: "a", httpStream: .content([UInt8(ascii: "s")]))])
    }

    func testMalformedBodies() {
        XCTAssertEqual(reason("not json"), #"body expected JSON like {"items": [...]}; got text that is not JSON"#)
        XCTAssertEqual(reason("[1]"), #"body expected a JSON object with an "items" array; got an array"#)
        XCTAssertEqual(reason(#"{"item": []}"#), #"body expected a JSON object with an "items" array; got an object"#)
        XCTAssertEqual(reason(#"{"items": {}}"#), "items expected an array; got an object")
        XCTAssertEqual(reason(#"{"items": []}"#), "items expected at least one item; got an empty array")
    }

    /// Each case: a valid first item, then an invalid second one; the whole batch is rejected
    /// and the reason names index 1 and the field.
    func testEveryInvalidItemRejectsTheWholeBatch() {
        let valid = #"{"channel": "ok", "formats": {"http-stream": {"content": "x"}}}"#
        let cases: [(item: String, reason: String)] = [
            (#""just a string""#, #"items[1] expected an object; got the string "just a string""#),
            (#"{"formats": {"http-stream": {"content": "x"}}}"#, "items[1].channel expected a string; got nothing"),
            (#"{"channel": 5, "formats": {"http-stream": {"content": "x"}}}"#, "items[1].channel expected a string; got 5"),
            (#"{"channel": "", "formats": {"http-stream": {"content": "x"}}}"#,
             "items[1].channel expected a non-empty channel name; got an empty string"),
            (#"{"channel": "a\nb", "formats": {"http-stream": {"content": "x"}}}"#,
             #"items[1].channel expected a channel name without control characters; got "a\nb""#),
            (#"{"channel": "a", "id": 8, "formats": {"http-stream": {"content": "x"}}}"#, "items[1].id expected a string; got 8"),
            (#"{"channel": "a", "id": "8\n", "formats": {"http-stream": {"content": "x"}}}"#,
             #"items[1].id expected no CR, LF or NUL; got "8\n""#),
            (#"{"channel": "a", "prev-id": true, "formats": {"http-stream": {"content": "x"}}}"#,
             "items[1].prev-id expected a string; got true"),
            (#"{"channel": "a"}"#, "items[1] expected an http-response, http-stream or ws-message format; got none"),
            (#"{"channel": "a", "formats": {}}"#, "items[1].formats expected an http-response, http-stream or ws-message format; got none"),
            (#"{"channel": "a", "formats": {"xmpp-message": {"content": "x"}}}"#,
             "items[1].formats expected an http-response, http-stream or ws-message format; got none"),
            (#"{"channel": "a", "formats": []}"#, "items[1].formats expected an object; got an array"),
            (#"{"channel": "a", "formats": {"http-response": "hi"}}"#,
             #"items[1].formats.http-response expected an object; got the string "hi""#),
            (#"{"channel": "a", "formats": {"http-response": {"code": 99}}}"#,
             "items[1].formats.http-response.code expected a final status, an integer from 200 to 599; got 99"),
            (#"{"channel": "a", "formats": {"http-response": {"code": 100}}}"#,
             "items[1].formats.http-response.code expected a final status, an integer from 200 to 599; got 100"),
            (#"{"channel": "a", "formats": {"http-response": {"code": 101}}}"#,
             "items[1].formats.http-response.code expected a final status, an integer from 200 to 599; got 101"),
            (#"{"channel": "a", "formats": {"http-response": {"code": 103}}}"#,
             "items[1].formats.http-response.code expected a final status, an integer from 200 to 599; got 103"),
            (#"{"channel": "a", "formats": {"http-response": {"code": 600}}}"#,
             "items[1].formats.http-response.code expected a final status, an integer from 200 to 599; got 600"),
            (#"{"channel": "a", "formats": {"http-response": {"code": "200"}}}"#,
             #"items[1].formats.http-response.code expected a final status, an integer from 200 to 599; got the string "200""#),
            (#"{"channel": "a", "formats": {"http-response": {"code": 200.5}}}"#,
             "items[1].formats.http-response.code expected a final status, an integer from 200 to 599; got 200.5"),
            (#"{"channel": "a", "formats": {"http-response": {"reason": "A\r\nX-Evil: 1"}}}"#,
             #"items[1].formats.http-response.reason expected no control characters; got "A\r\nX-Evil: 1""#),
            (#"{"channel": "a", "formats": {"http-response": {"action": "hint"}}}"#,
             #"items[1].formats.http-response.action expected send; got "hint""#),
            (#"{"channel": "a", "formats": {"http-response": {"headers": "X: 1"}}}"#,
             #"items[1].formats.http-response.headers expected an object or an array of pairs; got the string "X: 1""#),
            (#"{"channel": "a", "formats": {"http-response": {"headers": {"X": 1}}}}"#,
             "items[1].formats.http-response.headers.X expected a string value; got 1"),
            (#"{"channel": "a", "formats": {"http-response": {"headers": {"Bad Name": "1"}}}}"#,
             #"items[1].formats.http-response.headers.Bad Name expected a header name made of token characters; got "Bad Name""#),
            (#"{"channel": "a", "formats": {"http-response": {"headers": {"X": "1\r\nX-Evil: 1"}}}}"#,
             #"items[1].formats.http-response.headers.X expected a value without CR, LF or NUL; got "1\r\nX-Evil: 1""#),
            (#"{"channel": "a", "formats": {"http-response": {"headers": [["X"]]}}}"#,
             #"items[1].formats.http-response.headers[0] expected a ["Name", "value"] pair; got an array"#),
            (#"{"channel": "a", "formats": {"http-response": {"body": 5}}}"#,
             "items[1].formats.http-response.body expected a string; got 5"),
            (#"{"channel": "a", "formats": {"http-response": {"body": "x", "body-bin": "eA=="}}}"#,
             "items[1].formats.http-response expected body or body-bin; got both"),
            (#"{"channel": "a", "formats": {"http-response": {"body-bin": "%%%"}}}"#,
             #"items[1].formats.http-response.body-bin expected base64; got the string "%%%""#),
            (#"{"channel": "a", "formats": {"http-stream": {}}}"#,
             "items[1].formats.http-stream expected content or content-bin; got neither"),
            (#"{"channel": "a", "formats": {"http-stream": {"content-bin": "a"}}}"#,
             #"items[1].formats.http-stream.content-bin expected base64; got the string "a""#),
            (#"{"channel": "a", "formats": {"http-stream": {"action": "hint"}}}"#,
             #"items[1].formats.http-stream.action expected send or close; got "hint""#),
            (#"{"channel": "a", "formats": {"http-stream": {"content": ["x"]}}}"#,
             "items[1].formats.http-stream.content expected a string; got an array"),
        ]
        for (item, expected) in cases {
            XCTAssertEqual(reason("{\"items\": [\(valid), \(item)]}"), expected, "for item \(item)")
        }
    }

    func testShorthandSetsBothFormats() {
        let body: [UInt8] = [0x68, 0x69, 0x0A, 0xFF]
        XCTAssertEqual(PublishRequest.shorthand(channel: "news", body: body), PublishItem(
            channel: "news", httpResponse: PublishedResponse(code: 200, body: body), httpStream: .content(body)))
    }

    func testValidateChannel() throws {
        XCTAssertNoThrow(try PublishRequest.validate(channel: "news/eu"))
        XCTAssertThrowsError(try PublishRequest.validate(channel: "")) { error in
            XCTAssertEqual(error as? PublishError, PublishError(reason: "channel expected a non-empty channel name; got an empty string"))
        }
    }

    func testSubscribePayloadPrefersStreamContent() {
        let response = PublishedResponse(body: [1])
        XCTAssertEqual(PublishItem(channel: "a", httpResponse: response, httpStream: .content([2])).subscribePayload, [2])
        XCTAssertEqual(PublishItem(channel: "a", httpResponse: response).subscribePayload, [1])
        XCTAssertEqual(PublishItem(channel: "a", httpResponse: response, httpStream: .close).subscribePayload, [1])
        XCTAssertNil(PublishItem(channel: "a", httpStream: .close).subscribePayload)
    }
}
