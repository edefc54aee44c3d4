import XCTest

/// What CORS scenarios send and expect (docs/security.md).
enum CORSFixture {
    static let app = "https://app.example.com"
    static let exposed = "X-Request-Id"
    /// `[cors]` allowing `app` and the subdomains of example.org.
    static let settings: [String: TOMLValue] = [
        "allow_origins": [.string(app), "https://*.example.org"], "expose_headers": [.string(exposed)],
    ]
}

/// The head allows `origin`: echoed, with `Vary: Origin` and the exposed headers.
func assertAllows(_ head: HTTPResponseHead, _ origin: String = CORSFixture.app, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(head.values(of: "Access-Control-Allow-Origin"), [origin], "\(head.headers)", file: file, line: line)
    XCTAssertTrue(head.values(of: "Vary").contains("Origin"), "Vary: Origin expected in \(head.headers)", file: file, line: line)
    XCTAssertEqual(head.header("Access-Control-Expose-Headers"), CORSFixture.exposed, file: file, line: line)
}

/// No `Access-Control-*` header at all.
func assertNoCORS(_ head: HTTPResponseHead, file: StaticString = #filePath, line: UInt = #line) {
    let names = head.headers.map(\.name).filter { $0.lowercased().hasPrefix("access-control-") }
    XCTAssertEqual(names, [], "no CORS headers expected in \(head.headers)", file: file, line: line)
}
