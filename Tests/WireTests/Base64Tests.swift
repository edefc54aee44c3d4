import Wire
import XCTest

final class Base64Tests: XCTestCase {
    func testRFC4648Vectors() {
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors {
            XCTAssertEqual(Base64.encode(Array(plain.utf8)), encoded)
            XCTAssertEqual(Base64.decode(encoded), Array(plain.utf8))
            XCTAssertEqual(Base64.decode(encoded.replacingOccurrences(of: "=", with: "")), Array(plain.utf8), "padding is optional")
        }
    }

    func testAlphabets() {
        XCTAssertEqual(Base64.encode([0xFB, 0xFF], alphabet: .standard), "+/8=")
        XCTAssertEqual(Base64.encode([0xFB, 0xFF], alphabet: .url, padded: false), "-_8")
        XCTAssertEqual(Base64.decode("-_8", alphabet: .url), [0xFB, 0xFF])
        XCTAssertNil(Base64.decode("-_8", alphabet: .standard))
    }

    func testInvalidInputs() {
        for text in ["a", "Zg=a", "Zg===", "Z===", "Zm9v\n", "Zm 9v"] {
            XCTAssertNil(Base64.decode(text), text)
        }
    }
}
