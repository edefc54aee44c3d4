import GRIP
import HTTP1
import XCTest
@testable import Proxy

/// Answers built whole by the proxy: published `http-response`s and a held request's timeout answer.
final class CompleteResponseTests: XCTestCase {
    private func text(_ bytes: [UInt8]?) -> String { String(decoding: bytes ?? [], as: UTF8.self) }

    func testABodyIsFramedByItsLength() {
        let response = text(ProxyHeaders.completeResponse(status: 200, reason: "OK", headers: HTTPHeaders([("Content-Length", "99")]),
                                                          body: Array("hello".utf8), keepAlive: true, cors: nil))
        XCTAssertTrue(response.hasPrefix("HTTP/1.1 200 OK\r\n"))
        XCTAssertTrue(response.contains("\r\nContent-Length: 5\r\n"))
        XCTAssertFalse(response.contains("99"))
        XCTAssertTrue(response.hasSuffix("\r\n\r\nhello"))
    }

    func testNoContentAndNotModifiedGoOutWithNeitherBodyNorLength() {
        for status in [204, 304] {
            let response = text(ProxyHeaders.completeResponse(status: status, reason: "", headers: HTTPHeaders([("Content-Length", "7")]),
                                                              body: Array("ignored".utf8), keepAlive: false, cors: nil))
            XCTAssertFalse(response.contains("Content-Length"), response)
            XCTAssertFalse(response.contains("Transfer-Encoding"), response)
            XCTAssertTrue(response.hasSuffix("Connection: close\r\n\r\n"), response)
        }
    }

    func testPublishedHopByHopAndGripHeadersNeverReachTheClient() {
        let published = PublishedResponse(code: 200, headers: [
            .init(name: "Grip-Hold", value: "stream"), .init(name: "Grip-Channel", value: "x"), .init(name: "Connection", value: "X-Secret"),
            .init(name: "X-Secret", value: "1"), .init(name: "Transfer-Encoding", value: "chunked"), .init(name: "Keep-Alive", value: "t=1"),
            .init(name: "X-App", value: "a"),
        ], body: Array("data".utf8))
        let message = PreparedMessage(item: PublishItem(channel: "c", httpResponse: published), id: "1", publishedAt: 0)
        let response = text(message.httpResponse(keepAlive: true, headOnly: false, cors: nil))
        for absent in ["Grip-", "Connection", "X-Secret", "Transfer-Encoding", "Keep-Alive"] {
            XCTAssertFalse(response.contains(absent), "\(absent) in \(response)")
        }
        XCTAssertTrue(response.contains("\r\nX-App: a\r\n"))
        XCTAssertTrue(response.hasSuffix("\r\nContent-Length: 4\r\n\r\ndata"), response)
    }

    func testAPublishedNoContentHasNoBody() {
        let message = PreparedMessage(item: PublishItem(channel: "c", httpResponse: PublishedResponse(code: 204, body: Array("body".utf8))),
                                      id: "1", publishedAt: 0)
        let response = text(message.httpResponse(keepAlive: true, headOnly: false, cors: nil))
        XCTAssertTrue(response.hasPrefix("HTTP/1.1 204 No Content\r\n"))
        XCTAssertTrue(response.hasSuffix("\r\n\r\n"))
        XCTAssertFalse(response.contains("body"))
        XCTAssertFalse(response.contains("Content-Length"))
    }

    /// A long-poll held for a HEAD request gets the published answer's head: its length, not its body.
    func testAHeldHeadRequestGetsNoBody() {
        let message = PreparedMessage(item: PublishItem(channel: "c", httpResponse: PublishedResponse(code: 200, body: Array("body".utf8))),
                                      id: "1", publishedAt: 0)
        let response = text(message.httpResponse(keepAlive: true, headOnly: true, cors: nil))
        XCTAssertTrue(response.hasSuffix("\r\nContent-Length: 4\r\n\r\n"), response)
        XCTAssertEqual(text(message.httpResponse(keepAlive: true, headOnly: false, cors: nil)).suffix(4), "body")
    }

    /// Subscribers of one origin share one published answer; those without CORS keep the plain one.
    func testPublishedAnswersAreSharedPerCORSHeaders() {
        let message = PreparedMessage(item: PublishItem(channel: "c", httpResponse: PublishedResponse(code: 200, headers: [
            .init(name: "Access-Control-Allow-Origin", value: "https://publisher.example")], body: Array("hi".utf8))), id: "1", publishedAt: 0)
        let cors = CORSHeaders(fields: [.init(name: "Access-Control-Allow-Origin", value: "https://app.example.com"),
                                        .init(name: "Vary", value: "Origin")])
        let plain = String(decoding: message.httpResponse(keepAlive: true, headOnly: false, cors: nil) ?? [], as: UTF8.self)
        let withCORS = String(decoding: message.httpResponse(keepAlive: true, headOnly: false, cors: cors) ?? [], as: UTF8.self)
        XCTAssertTrue(plain.contains("Access-Control-Allow-Origin: https://publisher.example\r\n"), plain)
        XCTAssertTrue(withCORS.contains("\r\nAccess-Control-Allow-Origin: https://app.example.com\r\nVary: Origin\r\n"), withCORS)
        XCTAssertFalse(withCORS.contains("publisher"), withCORS)
        XCTAssertTrue(withCORS.hasSuffix("\r\n\r\nhi"))
    }

    /// Past the forms a message keeps, each origin still gets its own headers.
    func testManyOriginsEachGetTheirOwnHeaders() {
        let message = PreparedMessage(item: PublishItem(channel: "c", httpResponse: PublishedResponse(code: 200, body: Array("hi".utf8))),
                                      id: "1", publishedAt: 0)
        for index in 0..<40 {
            let origin = "https://s\(index).example.org"
            let cors = CORSHeaders(fields: [.init(name: "Access-Control-Allow-Origin", value: origin)])
            for _ in 0..<2 {
                let response = text(message.httpResponse(keepAlive: true, headOnly: false, cors: cors))
                XCTAssertTrue(response.contains("\r\nAccess-Control-Allow-Origin: \(origin)\r\n"), response)
                XCTAssertEqual(text(message.longPollResponse(keepAlive: true, cors: cors)).components(separatedBy: origin).count, 2)
            }
        }
    }
}
