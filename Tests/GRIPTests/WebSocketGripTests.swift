@testable import GRIP
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
        XCTAssertEqual(control(#"{"type": "session", "id": "s-1"}"#), .session(id: "s-1"))
        XCTAssertEqual(control(#"{"type": "session", "id": ""}"#), .session(id: nil), "an empty id clears it, as in Pushpin")
        XCTAssertEqual(control(#"{"type": "session"}"#), .session(id: nil))
        XCTAssertEqual(control(#"{"type": "flush-delayed"}"#), .flushDelayed)
        XCTAssertEqual(control(#"{"type": "close"}"#), .unknown("close"), "not a Pushpin type")
        XCTAssertEqual(control(#"{"type": "ack"}"#), .unknown("ack"))
    }

    func testKeepAlive() {
        XCTAssertEqual(control(#"{"type": "keep-alive", "content": "x"}"#), .keepAlive(keepAlive(.text, [0x78], 30, interval: false)))
        XCTAssertEqual(control(#"{"type": "keep-alive", "content-bin": "AAE=", "message-type": "ping", "timeout": 5, "mode": "interval"}"#),
                       .keepAlive(keepAlive(.ping, [0, 1], 5, interval: true)))
        XCTAssertEqual(control(#"{"type": "keep-alive", "content": "x", "timeout": 0, "mode": "idle"}"#),
                       .keepAlive(keepAlive(.text, [0x78], 30, interval: false)), "a timeout of 0 is the default, as in Pushpin")
        XCTAssertEqual(control(#"{"type": "keep-alive"}"#), .keepAlive(nil), "no content: keep-alives off")
        XCTAssertEqual(control(#"{"type": "keep-alive", "content": null, "timeout": -1}"#), .keepAlive(nil))
    }

    func testSendDelayed() {
        XCTAssertEqual(control(#"{"type": "send-delayed", "content": "later"}"#), .sendDelayed(delayed(.text, Array("later".utf8), 1)),
                       "text, after Pushpin's default of 1 s")
        XCTAssertEqual(control(#"{"type": "send-delayed", "content": "x", "message-type": "text", "timeout": 7}"#),
                       .sendDelayed(delayed(.text, [0x78], 7)))
        XCTAssertEqual(control(#"{"type": "send-delayed", "content-bin": "AAEC", "message-type": "binary", "timeout": 86400}"#),
                       .sendDelayed(delayed(.binary, [0, 1, 2], 86_400)))
        XCTAssertEqual(control(#"{"type": "send-delayed", "content-bin": "AAEC"}"#), .sendDelayed(delayed(.text, [0, 1, 2], 1)),
                       "content-bin alone does not change the type, as in Pushpin")
        XCTAssertEqual(control(#"{"type": "send-delayed", "content": "p", "message-type": "ping", "timeout": 0}"#),
                       .sendDelayed(delayed(.ping, [0x70], 1)), "a timeout of 0 is the default")
        XCTAssertEqual(control(#"{"type": "send-delayed", "message-type": "pong", "timeout": 2}"#), .sendDelayed(delayed(.pong, [], 2)),
                       "no content: an empty message, as in Pushpin")
        XCTAssertEqual(control(#"{"type": "send-delayed", "content": "\#(String(repeating: "p", count: 125))", "message-type": "ping"}"#),
                       .sendDelayed(delayed(.ping, Array(repeating: 0x70, count: 125), 1)))
    }

    func testUnreadableSendDelayed() {
        let tooLongForAPing = String(repeating: "p", count: 126)
        for fields in [#""content": "x", "timeout": -1"#, #""content": "x", "timeout": 1.5"#, #""content": "x", "timeout": "5""#,
                       #""content": "x", "timeout": 86401"#, #""content": "x", "message-type": "close""#, #""content": "x", "message-type": 1"#,
                       #""content": 5"#, #""content-bin": "!!""#, #""content": "x", "content-bin": "eA==""#,
                       #""content": "\#(tooLongForAPing)", "message-type": "ping""#, #""content": "\#(tooLongForAPing)", "message-type": "pong""#] {
            let json = #"{"type": "send-delayed", "# + fields + "}"
            XCTAssertNil(control(json), json)
        }
    }

    func testUnreadableControlMessages() {
        for json in [#"{"type": "subscribe"}"#, #"{"type": "subscribe", "channel": ""}"#, #"{"type": "subscribe", "channel": "a\u0001"}"#,
                     #"{"type": "set-meta", "value": "x"}"#, #"{"type": "set-meta", "name": "a b", "value": "x"}"#,
                     #"{"type": "set-meta", "name": "user", "value": "a\r\nX-Evil: 1"}"#, #"{"type": "set-meta", "name": "user", "value": 5}"#,
                     #"{"type": "keep-alive", "content": "x", "timeout": -5}"#, #"{"type": "keep-alive", "content": "x", "mode": "often"}"#,
                     #"{"type": "keep-alive", "content": "x", "message-type": "close"}"#, #"{"type": "keep-alive", "content-bin": "!!"}"#,
                     #"{"type": "session", "id": 5}"#,
                     #"{"type": 1}"#, #"{"channel": "news"}"#, #"["subscribe"]"#, "not json", #"{"type": "unsubscribe", "channel": 5}"#] {
            XCTAssertNil(control(json), json)
        }
    }

    private func control(_ json: String) -> WebSocketControlMessage? {
        WebSocketGrip.controlMessage(Array(json.utf8))
    }

    private func keepAlive(_ kind: WebSocketClientMessage.Kind, _ content: [UInt8], _ seconds: Int,
                           interval: Bool) -> WebSocketKeepAlive {
        WebSocketKeepAlive(message: WebSocketClientMessage(kind: kind, content: content)!, seconds: seconds, isInterval: interval)
    }

    private func delayed(_ kind: WebSocketClientMessage.Kind, _ content: [UInt8], _ seconds: Int) -> WebSocketDelayedMessage {
        WebSocketDelayedMessage(message: WebSocketClientMessage(kind: kind, content: content)!, seconds: seconds)
    }
}
