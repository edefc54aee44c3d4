import HTTP1
import XCTest
@testable import Proxy

/// What a `type = "request"` auth asks its backend, and how it reads the answer.
final class AuthSubrequestTests: XCTestCase {
    func testTheSubrequestCarriesCredentialsAndTheOriginalRequestButNoBody() {
        let head = RequestHead(method: "POST", target: "/api/items?page=2", version: .http11,
                               headers: HTTPHeaders([("Host", "app.test"), ("Authorization", "Bearer t"), ("Cookie", "a=1"),
                                                     ("Cookie", "b=2"), ("Content-Length", "5"), ("X-Other", "x")]),
                               framing: .contentLength(5), keepAlive: true)
        let bytes = AuthSubrequest.request(path: "/auth", for: head, clientIP: "10.0.0.7", backendAddress: "127.0.0.1:9000")
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self), """
            GET /auth HTTP/1.1\r
            Host: app.test\r
            Authorization: Bearer t\r
            Cookie: a=1\r
            Cookie: b=2\r
            X-Original-Method: POST\r
            X-Original-URI: /api/items?page=2\r
            X-Forwarded-For: 10.0.0.7\r
            \r

            """)
    }

    func testAnHTTP10RequestWithoutHostAsksWithTheBackendsAddress() {
        let head = RequestHead(method: "GET", target: "/", version: .http10, headers: HTTPHeaders(), framing: .none, keepAlive: false)
        let text = String(decoding: AuthSubrequest.request(path: "/auth", for: head, clientIP: "::1", backendAddress: "127.0.0.1:9000"),
                          as: UTF8.self)
        XCTAssertTrue(text.contains("Host: 127.0.0.1:9000\r\n"), text)
    }

    func testVerdicts() {
        let challenge = HTTPHeaders([("WWW-Authenticate", "Basic realm=\"x\"")])
        XCTAssertEqual(AuthSubrequest.verdict(status: 200, headers: HTTPHeaders()), .admit)
        XCTAssertEqual(AuthSubrequest.verdict(status: 204, headers: HTTPHeaders()), .admit)
        XCTAssertEqual(AuthSubrequest.verdict(status: 401, headers: challenge), .refuse(status: 401, challenge: "Basic realm=\"x\""))
        XCTAssertEqual(AuthSubrequest.verdict(status: 403, headers: HTTPHeaders()), .refuse(status: 403, challenge: nil))
        for status in [301, 302, 404, 500, 503] {
            XCTAssertEqual(AuthSubrequest.verdict(status: status, headers: HTTPHeaders()), .failed, "\(status)")
        }
    }
}
