import XCTest
@testable import Config

/// Which line each kind of problem names (docs/configuration.md). `validBase` takes lines 1–7, so appended text starts at 8.
final class ProblemLineTests: XCTestCase {
    func testUnknownSectionsNameTheirHeaderLine() {
        XCTAssertEqual(problems(of: validBase + "[servr]\nworkers = 2\n\n[[backends]]\nname = \"x\"\n[backend.helth]\npath = \"/\"\n"), [
            "proxy.conf:11: unknown key backends (did you mean backend?)",
            "proxy.conf:8: unknown key servr (did you mean server?)",
            #"proxy.conf:13: backend[0] "app": unknown key helth (did you mean health?)"#,
        ])
    }

    func testDottedKeyNamesItsLine() {
        XCTAssertEqual(problems(of: validBase.replacingOccurrences(of: "[[backend]]", with: "timeouts.hold = \"never\"\n[[backend]]")),
                       [#"proxy.conf:1: timeouts.hold expects a duration like "55s" (got "never")"#])
    }

    func testMultiLineValuesDoNotShiftLines() {
        let text = validBase.replacingOccurrences(of: "backends = [\"app\"]", with: "backends = [\n  \"app\",\n  \"nope\",\n]") + """
            [grip]
            signing_key = \"\"\"
            [timeouts]
            hold = 1
            \"\"\"
            bogus = 1
            """
        XCTAssertEqual(problems(of: text), [
            "proxy.conf:16: unknown key grip.bogus",
            #"proxy.conf:7: route[0]: backends names "nope", which no [[backend]] declares"#,
        ])
    }

    func testCrossKeyCheckNamesTheWrittenKeyWhenTheWrongOneIsADefault() {
        XCTAssertEqual(problems(of: validBase + "[backend.health]\ninterval = \"500ms\"\n"),
                       [#"proxy.conf:9: backend[0] "app": health.timeout expects at most health.interval, "500ms" (got "1s")"#])
        XCTAssertEqual(problems(of: validBase + "[server]\nmax_header_bytes = 4096\n"),
                       ["proxy.conf:9: server.max_uri_bytes expects at most server.max_header_bytes, 4096 (got 8192)"])
    }

    func testSharedListenAddressNamesTheLaterListenerWhenWritten() {
        XCTAssertEqual(problems(of: validBase + "[control]\nlisten = \"0.0.0.0:8080\"\n"),
                       [#"proxy.conf:9: control.listen expects an address no other listener uses (got "0.0.0.0:8080", which server.listen uses too)"#])
    }

    func testRequiredKeyMissingFromATableNamesItsHeader() {
        XCTAssertEqual(problems(of: validBase + "\n[[route]]\nbackends = [\"app\"]\n"),
                       ["proxy.conf:9: route[1]: path_prefix is required"])
    }

    func testProblemOfNoSingleLineNamesTheFileAlone() {
        XCTAssertEqual(problems(of: "[[backend]]\nname = \"app\"\naddress = \"127.0.0.1:9000\"\n"),
                       ["proxy.conf: at least one [[route]] is required"])
    }
}
