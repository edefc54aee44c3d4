import GRIP
import XCTest

final class PublishCodecTests: XCTestCase {
    private let items = [
        PublishItem(
            channel: "news", id: "8", prevID: "7",
            httpResponse: PublishedResponse(
                code: 404, reason: "Not Here",
                headers: [.init(name: "Set-Cookie", value: "a=1"), .init(name: "Set-Cookie", value: "b=ü")],
                body: Array(0...255)),
            httpStream: .content([0x00, 0x0D, 0x0A, 0xFF])),
        PublishItem(channel: "ünïcode", httpStream: .close),
        PublishItem(channel: "c", httpResponse: PublishedResponse()),
        PublishItem(channel: "d", id: "", httpStream: .content([])),
        PublishItem(channel: "e", wsMessage: .text(Array("hi".utf8))),
        PublishItem(channel: "f", httpStream: .close, wsMessage: .binary([0, 255])),
        PublishItem(channel: "g", wsMessage: .close(code: 4001, reason: "bye")),
        PublishItem(channel: "h", wsMessage: .close(code: nil, reason: "")),
    ]

    func testRoundTripIsExact() throws {
        XCTAssertEqual(try PublishCodec.decode(PublishCodec.encode(items)), items)
        XCTAssertEqual(try PublishCodec.decode(PublishCodec.encode([])), [])
    }

    func testDecodesFromASlice() throws {
        let framed = [0xAA] + PublishCodec.encode(items) + [0xBB]
        XCTAssertEqual(try PublishCodec.decode(framed[1..<(framed.count - 1)]), items)
    }

    func testEveryTruncationIsAnErrorNotACrash() {
        let bytes = PublishCodec.encode(items)
        for length in 0..<bytes.count {
            XCTAssertThrowsError(try PublishCodec.decode(bytes[0..<length]), "prefix of \(length) bytes")
        }
    }

    func testTrailingBytesAndBadTagsAreErrors() {
        let bytes = PublishCodec.encode([PublishItem(channel: "a", httpStream: .close)])
        XCTAssertThrowsError(try PublishCodec.decode(bytes + [0])) { error in
            XCTAssertEqual(error as? PublishError, PublishError(reason: "publish frame expected to end after 1 items; got 1 more bytes"))
        }
        var badTag = bytes
        badTag[badTag.count - 2] = 9
        XCTAssertThrowsError(try PublishCodec.decode(badTag)) { error in
            XCTAssertEqual(error as? PublishError, PublishError(reason: "publish frame http-stream tag expected 0, 1 or 2; got 9"))
        }
        var badWebSocketTag = bytes
        badWebSocketTag[badWebSocketTag.count - 1] = 9
        XCTAssertThrowsError(try PublishCodec.decode(badWebSocketTag)) { error in
            XCTAssertEqual(error as? PublishError, PublishError(reason: "publish frame ws-message tag expected 0 to 3; got 9"))
        }
        var badVersion = bytes
        badVersion[0] = 1
        XCTAssertThrowsError(try PublishCodec.decode(badVersion)) { error in
            XCTAssertEqual(error as? PublishError, PublishError(reason: "publish frame expected version 2; got 1"))
        }
    }

    func testHugeLengthIsRejectedWithoutAllocating() {
        // version, one item, then a channel length of 4 GiB - 1 with no bytes behind it.
        let bytes: [UInt8] = [2, 0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xFF]
        XCTAssertThrowsError(try PublishCodec.decode(bytes)) { error in
            XCTAssertEqual(error as? PublishError, PublishError(reason: "publish frame channel expected 4294967295 bytes at offset 9; got 0"))
        }
    }
}
