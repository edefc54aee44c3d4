import XCTest
@testable import Config

final class ValueParsingTests: XCTestCase {
    func testDurations() {
        XCTAssertEqual(parseDuration("250ms"), .milliseconds(250))
        XCTAssertEqual(parseDuration("30s"), .seconds(30))
        XCTAssertEqual(parseDuration("5m"), .seconds(300))
        XCTAssertEqual(parseDuration("1h"), .seconds(3600))
        XCTAssertEqual(parseDuration("0s"), .zero)
        for bad in ["", "s", "30", "1.5s", "-1s", "30 s", "30S", "1d", "+5s", "99999999999999999999s", "9223372036854775807h"] {
            XCTAssertNil(parseDuration(bad), bad)
        }
    }

    func testEditDistanceSuggestions() {
        XCTAssertEqual(editDistance("kitten", "sitting"), 3)
        XCTAssertEqual(editDistance("", "abc"), 3)
        XCTAssertEqual(editDistance("hodl", "hold"), 1)
        XCTAssertEqual(closestMatch(to: "Listen", among: ["listen", "workers"]), "listen")
        XCTAssertNil(closestMatch(to: "zzz", among: ["listen", "workers"]))
    }

    func testEveryDefaultIsValidForItsKind() {
        for spec in ConfigSchema.keys {
            if let defaultValue = spec.defaultValue {
                XCTAssertNotNil(spec.kind.convert(defaultValue.tomlValue), "\(spec.section.rawValue).\(spec.name)")
            }
        }
    }
}
