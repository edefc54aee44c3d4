import GRIP
import Logging
@testable import Proxy
import XCTest

final class MasterLoggingTests: XCTestCase {
    func testTextLineHasTimestampLevelRoleMessageAndSortedMetadata() {
        let formatter = LogLineFormatter(format: .text, role: "master", pid: 1234)
        let line = formatter.line(timestamp: "2026-11-21T19:00:00.123Z", level: .info, message: "reloaded",
                                  metadata: ["workers": "4", "file": "proxy.conf", "reason": "two words"])
        XCTAssertEqual(line, "2026-11-21T19:00:00.123Z info [master 1234] reloaded file=proxy.conf reason=\"two words\" workers=4\n")
    }

    func testTextLineKeepsEmbeddedNewlinesOnOneLine() {
        let formatter = LogLineFormatter(format: .text, role: "worker", pid: 7)
        let line = formatter.line(timestamp: "T", level: .error, message: "a\nb", metadata: [:])
        XCTAssertEqual(line, "T error [worker 7] a\\nb\n")
    }

    func testJSONLineHasEveryField() {
        let formatter = LogLineFormatter(format: .json, role: "master", pid: 42)
        let line = formatter.line(timestamp: "2026-11-21T19:00:00.123Z", level: .warning, message: "say \"hi\"",
                                  metadata: ["n": .stringConvertible(3), "list": .array(["a", "b"])])
        XCTAssertEqual(line, #"{"ts": "2026-11-21T19:00:00.123Z", "level": "warning", "role": "master", "pid": 42, "msg": "say \"hi\"", "metadata": {"list": ["a", "b"], "n": "3"}}"# + "\n")
    }

    func testJSONLineWithoutMetadataOmitsIt() {
        let formatter = LogLineFormatter(format: .json, role: "master", pid: 1)
        XCTAssertEqual(formatter.line(timestamp: "T", level: .info, message: "m", metadata: [:]),
                       #"{"ts": "T", "level": "info", "role": "master", "pid": 1, "msg": "m"}"# + "\n")
    }

    func testJSONQuotingEscapesControlCharacters() {
        XCTAssertEqual(JSONText.quoted("a\u{1}\t\\"), #""a\u0001\t\\""#)
    }

    func testTimestampIsISO8601UTCWithMilliseconds() {
        let stamp = StderrLogHandler.timestamp()
        XCTAssertEqual(stamp.count, 24, stamp)
        XCTAssertTrue(stamp.hasSuffix("Z"), stamp)
        XCTAssertEqual(Array(stamp)[10], "T")
        XCTAssertEqual(Array(stamp)[19], ".")
    }
}
