import TOMLKit
import XCTest
@testable import Config

final class KeyLineIndexTests: XCTestCase {
    func testKeysAndTableHeaders() {
        let index = KeyLineIndex(text: """
            top = 1
            [server]
            workers = 2

            [timeouts]
              hold = "5s"  # indented, with a comment
            """)
        XCTAssertEqual(index.line(of: TOMLPath(.key("top"))), 1)
        XCTAssertEqual(index.line(of: TOMLPath(.key("server"))), 2)
        XCTAssertEqual(index.line(of: TOMLPath(.key("server"), .key("workers"))), 3)
        XCTAssertEqual(index.line(of: TOMLPath(.key("timeouts"))), 5)
        XCTAssertEqual(index.line(of: TOMLPath(.key("timeouts"), .key("hold"))), 6)
        XCTAssertNil(index.line(of: TOMLPath(.key("timeouts"), .key("queue"))))
    }

    func testArrayOfTablesEntriesByIndexAndTheirSubtables() {
        let index = KeyLineIndex(text: """
            [[backend]]
            name = "a"
            [[backend]]
            name = "b"
            [backend.health]
            interval = "1s"
            [[route]]
            path_prefix = "/"
            """)
        let backend1 = TOMLPath(.key("backend"), .index(1))
        XCTAssertEqual(index.line(of: TOMLPath(.key("backend"))), 1)
        XCTAssertEqual(index.line(of: TOMLPath(.key("backend"), .index(0), .key("name"))), 2)
        XCTAssertEqual(index.line(of: backend1), 3)
        XCTAssertEqual(index.line(of: backend1.appending("name")), 4)
        XCTAssertEqual(index.line(of: backend1.appending("health")), 5)
        XCTAssertEqual(index.line(of: backend1.appending("health").appending("interval")), 6)
        XCTAssertEqual(index.line(of: TOMLPath(.key("route"), .index(0), .key("path_prefix"))), 8)
        XCTAssertNil(index.line(of: TOMLPath(.key("backend"), .index(0), .key("health"))))
    }

    func testDottedAndQuotedKeys() {
        let index = KeyLineIndex(text: #"""
            server.workers = 2
            "control" . 'listen' = "127.0.0.1:1"
            ["grip"]
            "sign\u0069ng_key" = "k"
            [ channels . "history.ttl" ]
            x = 1
            """#)
        XCTAssertEqual(index.line(of: TOMLPath(.key("server"))), 1)
        XCTAssertEqual(index.line(of: TOMLPath(.key("server"), .key("workers"))), 1)
        XCTAssertEqual(index.line(of: TOMLPath(.key("control"), .key("listen"))), 2)
        XCTAssertEqual(index.line(of: TOMLPath(.key("grip"), .key("signing_key"))), 4)
        XCTAssertEqual(index.line(of: TOMLPath(.key("channels"), .key("history.ttl"), .key("x"))), 6)
    }

    func testInlineTableKeysAreAtTheLineOfTheirKey() {
        let index = KeyLineIndex(text: """
            [[backend]]
            health = { interval = "1s", timeout = "2s" }
            name = "a"
            """)
        let health = TOMLPath(.key("backend"), .index(0), .key("health"))
        XCTAssertEqual(index.line(of: health), 2)
        XCTAssertNil(index.line(of: health.appending("timeout")))
        XCTAssertEqual(index.nearestLine(of: health.appending("timeout")), 2)
        XCTAssertEqual(index.line(of: TOMLPath(.key("backend"), .index(0), .key("name"))), 3)
    }

    func testLinesInsideMultiLineStringsAndArraysAreNoKeys() {
        let index = KeyLineIndex(text: #"""
            a = """
            b = 1
            [not_a_table]
            \"""
            """
            c = '''
            d = 2 "
            '''
            e = [
              "f = 3",  # g = 4
              [ "[h]" ],
              { i = 5 },
            ]
            j = """x""""
            k = 6
            """#)
        XCTAssertEqual(index.line(of: TOMLPath(.key("a"))), 1)
        XCTAssertEqual(index.line(of: TOMLPath(.key("c"))), 6)
        XCTAssertEqual(index.line(of: TOMLPath(.key("e"))), 9)
        XCTAssertEqual(index.line(of: TOMLPath(.key("j"))), 14)
        XCTAssertEqual(index.line(of: TOMLPath(.key("k"))), 15)
        for key in ["b", "not_a_table", "d", "f", "g", "h", "i"] {
            XCTAssertNil(index.nearestLine(of: TOMLPath(.key(key))), key)
        }
    }

    func testStringsHoldingCommentAndBracketCharacters() {
        let index = KeyLineIndex(text: """
            a = "# [x] \\" {"
            b = '#['
            c = 1 # ] } "
            d = 2
            """)
        XCTAssertEqual([index.line(of: TOMLPath(.key("b"))), index.line(of: TOMLPath(.key("c"))), index.line(of: TOMLPath(.key("d")))],
                       [2, 3, 4])
    }

    func testNearestLineFallsBackToTheTableHoldingTheKey() {
        let index = KeyLineIndex(text: "\n[server.tls]\nlisten = \"0.0.0.0:8443\"\n")
        XCTAssertEqual(index.nearestLine(of: TOMLPath(.key("server"), .key("tls"), .key("private_key"))), 2)
        XCTAssertNil(index.line(of: TOMLPath(.key("server"))))
        XCTAssertNil(index.nearestLine(of: TOMLPath(.key("route"), .index(0))))
    }

    func testWindowsLineEndingsAndByteOrderMark() {
        let index = KeyLineIndex(text: "\u{FEFF}a = 1\r\n[t]\r\nb = 2\r\n")
        XCTAssertEqual(index.line(of: TOMLPath(.key("a"))), 1)
        XCTAssertEqual(index.line(of: TOMLPath(.key("t"), .key("b"))), 3)
    }
}

/// The index against TOMLKit's own reading of a real file: every key it holds has the line that writes it.
final class KeyLineIndexExampleTests: XCTestCase {
    func testEveryKeyOfTheExampleFileIsOnItsLine() throws {
        let text = try String(contentsOfFile: repositoryFile("proxy.conf.example"), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let index = KeyLineIndex(text: text)
        var checked = 0
        func visit(_ table: TOMLTable, at path: TOMLPath) {
            for key in table.keys {
                let keyPath = path.appending(key)
                guard let line = index.line(of: keyPath) else { return XCTFail("no line for \(keyPath)") }
                XCTAssertTrue(lines[line - 1].contains(key), "\(keyPath) placed on line \(line): \(lines[line - 1])")
                checked += 1
                if let child = table[key]?.table { visit(child, at: keyPath) }
                for (entry, element) in (table[key]?.array ?? []).enumerated() {
                    if let child = element.table { visit(child, at: keyPath.appending(index: entry)) }
                }
            }
        }
        visit(try TOMLTable(string: text), at: .root)
        XCTAssertGreaterThan(checked, 40)
    }
}
