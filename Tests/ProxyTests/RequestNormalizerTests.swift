import HTTP1
import XCTest
@testable import Proxy

/// docs/architecture.md: what routing and the backend see of a received request.
final class RequestNormalizerTests: XCTestCase {
    private func head(_ target: String, _ headers: [(String, String)], version: HTTPVersion = .http11) -> RequestHead {
        RequestHead(method: "GET", target: target, version: version, headers: HTTPHeaders(headers), framing: .none, keepAlive: true)
    }

    func testAbsoluteFormAuthorityReplacesHostAndTheTargetGoesOnInOriginForm() {
        let normalized = RequestNormalizer.normalized(head("http://admin.local/secret?x=1", [("Host", "public.example"), ("X-A", "1")]),
                                                      allowsUnderscoresInHeaders: false)
        XCTAssertEqual(normalized.target, "/secret?x=1")
        XCTAssertEqual(normalized.headers.values("host"), ["admin.local"])
        XCTAssertEqual(RequestTarget.hostAndPath(normalized).host, "admin.local")
        XCTAssertEqual(normalized.headers["x-a"], "1")
    }

    func testAbsoluteFormWithoutHostGainsOneAndEmptyPathBecomesSlash() {
        let normalized = RequestNormalizer.normalized(head("http://h.example:8081", [], version: .http10), allowsUnderscoresInHeaders: false)
        XCTAssertEqual(normalized.target, "/")
        XCTAssertEqual(normalized.headers["host"], "h.example:8081")
    }

    func testOriginFormIsLeftAlone() {
        let original = head("/a?b=http://c", [("Host", "h"), ("X-Dash", "1")])
        XCTAssertEqual(RequestNormalizer.normalized(original, allowsUnderscoresInHeaders: false), original)
    }

    func testUnderscoreNamesAreDroppedUnlessAllowed() {
        let original = head("/", [("Host", "h"), ("Transfer_Encoding", "chunked"), ("X_Foo", "1"), ("X-Foo", "2")])
        XCTAssertEqual(RequestNormalizer.normalized(original, allowsUnderscoresInHeaders: false).headers.fields.map(\.name), ["Host", "X-Foo"])
        XCTAssertEqual(RequestNormalizer.normalized(original, allowsUnderscoresInHeaders: true), original)
    }
}
