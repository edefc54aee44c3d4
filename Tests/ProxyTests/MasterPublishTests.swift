import GRIP
import HTTP1
@testable import Proxy
import XCTest

final class MasterPublishTests: XCTestCase {
    private func request(_ target: String, method: String = "POST", body: String = "", authorization: String? = nil) -> ControlRequest {
        var headers = HTTPHeaders()
        if let authorization { headers.add("Authorization", authorization) }
        return ControlRequest(method: method, target: target, headers: headers, body: Array(body.utf8))
    }

    private func refusal(_ result: Result<[PublishItem], ControlResponseError>) -> ControlResponse? {
        guard case let .failure(error) = result else { return nil }
        return error.response
    }

    func testShorthandPublishesTheBodyToThePercentDecodedChannel() throws {
        let items = try PublishEndpoint.items(for: request("/publish/news%20room", body: "hello"), token: nil).get()
        XCTAssertEqual(items, [PublishRequest.shorthand(channel: "news room", body: Array("hello".utf8))])
    }

    func testJSONPublishParsesItems() throws {
        let body = #"{"items": [{"channel": "a", "formats": {"http-stream": {"content": "x"}}}]}"#
        let items = try PublishEndpoint.items(for: request("/publish/", body: body), token: nil).get()
        XCTAssertEqual(items.map(\.channel), ["a"])
    }

    func testMalformedJSONIsRefusedWithAReason() throws {
        let response = try XCTUnwrap(refusal(PublishEndpoint.items(for: request("/publish/", body: "{"), token: nil)))
        XCTAssertEqual(response.status, 400)
        let text = String(decoding: response.body, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix(#"{"error": "body expected JSON"#), text)
    }

    func testBrokenPercentEscapeIsRefused() throws {
        XCTAssertEqual(refusal(PublishEndpoint.items(for: request("/publish/a%2", body: "x"), token: nil))?.status, 400)
        XCTAssertEqual(refusal(PublishEndpoint.items(for: request("/publish/%ff", body: "x"), token: nil))?.status, 400)
    }

    func testTokenIsRequiredWhenConfigured() throws {
        XCTAssertEqual(refusal(PublishEndpoint.items(for: request("/publish/a"), token: "secret"))?.status, 401)
        XCTAssertEqual(refusal(PublishEndpoint.items(for: request("/publish/a", authorization: "Bearer secreT"), token: "secret"))?.status, 401)
        XCTAssertEqual(refusal(PublishEndpoint.items(for: request("/publish/a", authorization: "Bearer secret2"), token: "secret"))?.status, 401)
        XCTAssertEqual(refusal(PublishEndpoint.items(for: request("/publish/a", authorization: "Basic secret"), token: "secret"))?.status, 401)
        XCTAssertNoThrow(try PublishEndpoint.items(for: request("/publish/a", authorization: "Bearer secret"), token: "secret").get())
    }

    func testOnlyPostPublishes() {
        let response = refusal(PublishEndpoint.items(for: request("/publish/a", method: "GET"), token: nil))
        XCTAssertEqual(response?.status, 405)
        XCTAssertEqual(response?.headers["Allow"], "POST")
    }

    func testAnswerCountsSubscribers() {
        XCTAssertEqual(PublishEndpoint.answer(delivered: 3), .json(200, #"{"subscribers": 3}"# + "\n"))
    }
}
