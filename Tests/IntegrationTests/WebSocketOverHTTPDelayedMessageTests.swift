import XCTest

/// The `send-delayed` and `flush-delayed` control messages (Pushpin's): Holdfast sends the client
/// the message itself once its timeout is over, or sooner when flushed or replaced, with no
/// backend request; Fixtures/backend.py's /woh?grip=1 sends them on "send-delayed:SECONDS:CONTENT"
/// and "flush-delayed".
final class WebSocketOverHTTPDelayedMessageTests: ScenarioTestCase {
    func testTheDelayedMessageArrivesAfterItsTimeout() throws {
        let proxy = try startGripProxy()
        let (socket, _) = try open(proxy, path: "/woh?grip=1")
        try socket.sendText("send-delayed:2:later")
        XCTAssertEqual(try socket.readText(), "delayed set", "the control message itself is not sent")
        let (_, waited) = try timed { XCTAssertEqual(try socket.readText(timeout: .seconds(6)), "later") }
        XCTAssertGreaterThanOrEqual(waited, .seconds(1), "not long before its 2 s")
        XCTAssertEqual(try eventRequests().count, 2, "OPEN and the message that asked for it: the delayed one takes no request")
    }

    /// As in Pushpin: a new send-delayed first sends the pending one, and flush-delayed sends it at once.
    func testASecondSendDelayedFlushesTheFirstAndFlushDelayedSendsItNow() throws {
        let proxy = try startGripProxy()
        let (socket, _) = try open(proxy, path: "/woh?grip=1")
        try socket.sendText("send-delayed:60:first")
        XCTAssertEqual(try socket.readText(), "delayed set")
        try socket.sendText("send-delayed:60:second")
        XCTAssertEqual(try socket.readText(), "first", "replaced: sent before the answer's next message")
        XCTAssertEqual(try socket.readText(), "delayed set")
        try socket.sendText("flush-delayed")
        XCTAssertEqual(try socket.readText(), "second", "flushed long before its 60 s")
        XCTAssertEqual(try socket.readText(), "flushed")
        try socket.sendText("flush-delayed")
        XCTAssertEqual(try socket.readText(), "flushed", "nothing pending: nothing sent")
    }

    /// The pending message goes with its connection: the worker lives on past the time it was due.
    func testAPendingMessageIsDroppedWhenTheConnectionCloses() throws {
        let proxy = try startGripProxy()
        let (closing, _) = try open(proxy, path: "/woh?grip=1")
        try closing.sendText("send-delayed:1:never")
        XCTAssertEqual(try closing.readText(), "delayed set")
        try closing.sendClose(code: 1000)
        XCTAssertEqual(try closing.readFrame().opcode, 0x8, "the close, not the pending message")
        XCTAssertTrue(closing.http.isClosedByPeer(timeout: .seconds(5)))

        let (later, _) = try open(proxy, path: "/woh?grip=1")
        try later.sendText("send-delayed:2:still here")
        XCTAssertEqual(try later.readText(), "delayed set")
        XCTAssertEqual(try later.readText(timeout: .seconds(6)), "still here", "due after the closed one's was")
    }
}
