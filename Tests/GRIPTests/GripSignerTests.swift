@testable import GRIP
import Wire
import XCTest

final class GripSignerTests: XCTestCase {
    private let now: Int64 = 1_800_000_000

    func testTokenVerifiesWithItsKeyUntilItExpires() {
        let token = GripSigner(key: "changeme").token(now: now, lifetime: 60)
        XCTAssertTrue(GripSigner.verify(token, key: "changeme", now: now))
        XCTAssertTrue(GripSigner.verify(token, key: "changeme", now: now + 59))
        XCTAssertFalse(GripSigner.verify(token, key: "changeme", now: now + 60))
        XCTAssertFalse(GripSigner.verify(token, key: "other", now: now))
    }

    func testHeaderAndClaimsDecodeAsExpected() throws {
        let token = GripSigner(key: "k", issuer: "holdfast").token(now: now)
        let parts = token.split(separator: ".").map(String.init)
        XCTAssertEqual(parts.count, 3)
        XCTAssertFalse(token.contains("="), "JWT segments are unpadded")
        let header = try XCTUnwrap(Base64.decode(parts[0], alphabet: .url))
        let claims = try XCTUnwrap(Base64.decode(parts[1], alphabet: .url))
        XCTAssertEqual(String(decoding: header, as: UTF8.self), #"{"alg":"HS256","typ":"JWT"}"#)
        XCTAssertEqual(String(decoding: claims, as: UTF8.self), #"{"iss":"holdfast","exp":1800003600}"#)
    }

    /// Expected token computed independently (Python's hmac and base64 modules).
    func testSignatureMatchesAKnownVector() {
        let token = GripSigner(key: "secret", issuer: "pushpin").token(now: 1_700_000_000, lifetime: 100)
        XCTAssertEqual(token,
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJwdXNocGluIiwiZXhwIjoxNzAwMDAwMTAwfQ."
            + "2ix93TVJPqELUaN41iF_3sBRV2Kes9t31q8aRGZ4grM")
    }

    func testIssuerIsEscapedAsJSON() throws {
        let token = GripSigner(key: "k", issuer: "a\"b\\c").token(now: now)
        let claims = try XCTUnwrap(Base64.decode(String(token.split(separator: ".")[1]), alphabet: .url))
        XCTAssertEqual(String(decoding: claims, as: UTF8.self), #"{"iss":"a\"b\\c","exp":1800003600}"#)
        XCTAssertTrue(GripSigner.verify(token, key: "k", now: now))
    }

    func testTamperedOrMalformedTokensFail() {
        let token = GripSigner(key: "k").token(now: now)
        let parts = token.split(separator: ".").map(String.init)
        let laterClaims = Base64.encode(Array(#"{"iss":"holdfast","exp":9999999999}"#.utf8), alphabet: .url, padded: false)
        XCTAssertFalse(GripSigner.verify([parts[0], laterClaims, parts[2]].joined(separator: "."), key: "k", now: now))
        let noneHeader = Base64.encode(Array(#"{"alg":"none"}"#.utf8), alphabet: .url, padded: false)
        XCTAssertFalse(GripSigner.verify([noneHeader, parts[1], parts[2]].joined(separator: "."), key: "k", now: now))
        XCTAssertFalse(GripSigner.verify(parts[0] + "." + parts[1], key: "k", now: now))
        XCTAssertFalse(GripSigner.verify("", key: "k", now: now))
        XCTAssertFalse(GripSigner.verify("a.b.c", key: "k", now: now))
    }
}
