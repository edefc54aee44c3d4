import GRIP
import XCTest

final class WebSocketGripTests: XCTestCase {
    func testMessagePrefixFromTheExtension() {
        XCTAssertEqual(WebSocketGrip.messagePrefix(extensions: ["grip"]), Array("m:".utf8))
        XCTAssertEqual(WebSocketGrip.messagePrefix(extensions: ["GRIP; message-prefix=\"\""]), [])
        XCTAssertEqual(WebSocketGrip.messagePrefix(extensions: ["permessage-deflate, grip; message-prefix=\"x;y\""]), Array("x;y".utf8))
        XCTAssertEqual(WebSocketGrip.messagePrefix(extensions: ["other", "grip; message-prefix=msg"]), Array("msg".utf8))
        XCTAssertNil(WebSocketGrip.messagePrefix(extensions: []))
        XCTAssertNil(WebSocketGrip.messagePrefix(extensions: ["permessage-deflate"]))
        XCTAssertNil(WebSocketGrip.messagePrefix(extensions: ["grippy"]))
    }

    func testControlMessages() {
        XCTAssertEqual(control(#"{"type": "subscribe", "channel": "news"}"#), .subscribe("news"))
        XCTAssertEqual(control(#"{"channel": "news", "type": "unsubscribe"}"#), .unsubscribe("news"))
        XCTAssertEqual(control(#"{"type": "detach"}"#), .detach)
        XCTAssertEqual(control(#"{"type": "set-meta", "name": "user", "value": "alice"}"#), .setMeta(name: "user", value: "alice"))
        XCTAssertEqual(control(#"{"type": "set-meta", "name": "user", "value": null}"#), .setMeta(name: "user", value: ""))
        XCTAssertEqual(control(#"{"type": "set-meta", "name": "user"}"#), .setMeta(name: "user", value: ""))
        XCTAssertEqual(control(#"{"type": "keep-alive", "content": "x"}"#),
                       .keepAlive(WebSocketKeepAlive(kind: .text, content: [0x78], seconds: 30, isInterval: false)))
        XCTAssertEqual(control(#"{"type": "keep-alive", "content-bin": "AAE=", "message-type": "ping", "timeout": 5, "mode": "interval"}"#),
                       .keepAlive(WebSocketKeepAlive(kind: .ping, content: [0, 1], seconds: 5, isInterval: true)))
        XCTAssertEqual(control(#"{"type": "keep-alive"}"#), .keepAlive(nil))
        XCTAssertEqual(control(#"{"type": "session", "id": "x"}"#), .other("session"))
    }

    func testUnreadableControlMessages() {
        for json in [#"{"type": "subscribe"}"#, #"{"type": "subscribe", "channel": ""}"#, #"{"type": "subscribe", "channel": "a\u0001"}"#,
                     #"{"type": "set-meta", "value": "x"}"#, #"{"type": "set-meta", "name": "a b", "value": "x"}"#,
                     #"{"type": "set-meta", "name": "user", "value": "a\r\nX-Evil: 1"}"#, #"{"type": "set-meta", "name": "user", "value": 5}"#,
                     #"{"type": "keep-alive", "content": "x", "timeout": 0}"#, #"{"type": "keep-alive", "content": "x", "mode": "often"}"#,
                     #"{"type": "keep-alive", "content": "x", "message-type": "close"}"#, #"{"type": "keep-alive", "content-bin": "!!"}"#,
                     #"{"type": 1}"#, #"["subscribe"]"#, "not json", #"{"type": "unsubscribe", "channel": 5}"#] {
            XCTAssertNil(control(json), json)
        }
    }

    private func control(_ json: String) -> WebSocketControlMessage? {
        WebSocketGrip.controlMessage(Array(json.utf8))
    }
}
