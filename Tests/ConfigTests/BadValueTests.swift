import XCTest
@testable import Config

final class BadValueTests: XCTestCase {
    func testBadDurationNamesBackendAndKey() {
        XCTAssertEqual(problems(of: validBase + """
            [[backend]]
            name = "app2"
            address = "127.0.0.1:9001"
            [backend.health]
            interval = "fast"
            """), [#"proxy.conf:12: backend[1] "app2": health.interval expects a duration like "2s" (got "fast")"#])
    }

    func testZeroAndFractionalDurationsAreRefused() {
        XCTAssertEqual(problems(of: validBase + "[timeouts]\nhold = \"0s\"\nqueue = \"1.5s\"\n"), [
            #"proxy.conf:9: timeouts.hold expects a duration like "55s" (got "0s")"#,
            #"proxy.conf:10: timeouts.queue expects a duration like "5s" (got "1.5s")"#,
        ])
    }

    func testWebSocketKeysNameTheirLine() {
        XCTAssertEqual(problems(of: validBase + "[websocket]\ntunnel_idle = \"never\"\n"),
                       [#"proxy.conf:9: websocket.tunnel_idle expects a duration like "10m" (got "never")"#])
        XCTAssertEqual(problems(of: validBase + "[websocket]\ntunel_idle = \"1m\"\n").count, 1, "unknown keys are errors")
        XCTAssertEqual(config(of: validBase + "[websocket]\ntunnel_idle = \"90s\"\n")?.websocket.tunnelIdle, .seconds(90))
        XCTAssertEqual(problems(of: validBase + "[websocket]\nmax_message_bytes = 100\n"),
                       ["proxy.conf:9: websocket.max_message_bytes expects a size in bytes of at least 125 (got 100)"])
    }

    func testSizeOutOfBounds() {
        XCTAssertEqual(problems(of: validBase + "[channels]\nsubscriber_buffer_bytes = 10\n"),
                       ["proxy.conf:9: channels.subscriber_buffer_bytes expects a size in bytes of at least 1024 (got 10)"])
    }

    func testIntegerBoundsAndTypes() {
        XCTAssertEqual(problems(of: validBase + "[server]\nworkers = 257\nmax_headers = \"100\"\n"), [
            "proxy.conf:9: server.workers expects an integer from 0 to 256 (got 257)",
            #"proxy.conf:10: server.max_headers expects an integer from 1 to 10000 (got "100")"#,
        ])
    }

    func testSwitchesTakeBooleansOnly() {
        XCTAssertEqual(problems(of: validBase + "[server]\nallow_underscores_in_headers = \"yes\"\n"),
                       [#"proxy.conf:9: server.allow_underscores_in_headers expects true or false (got "yes")"#])
        XCTAssertEqual(config(of: validBase + "[server]\nallow_underscores_in_headers = true\n")?.server.allowsUnderscoresInHeaders, true)
    }

    func testURIBytesAboveHeaderBytes() {
        XCTAssertEqual(problems(of: validBase + "[server]\nmax_header_bytes = 4096\nmax_uri_bytes = 8192\n"),
                       ["proxy.conf:10: server.max_uri_bytes expects at most server.max_header_bytes, 4096 (got 8192)"])
    }

    func testHealthTimeoutAboveInterval() {
        XCTAssertEqual(problems(of: validBase.replacingOccurrences(of: "address = \"127.0.0.1:9000\"", with: """
            address = "127.0.0.1:9000"
            health = { interval = "1s", timeout = "1500ms" }
            """)), [#"proxy.conf:4: backend[0] "app": health.timeout expects at most health.interval, "1s" (got "1500ms")"#])
    }

    func testUnknownKeysEverywhereWithSuggestions() {
        let text = "servr = 1\n" + validBase.replacingOccurrences(of: "backends = [", with: "stiky = \"ip\"\nbackends = [") + """
            [timeouts]
            hodl = "5s"
            [backend.health]
            intervall = "2s"
            [grip]
            completely_unrelated = true
            """
        XCTAssertEqual(problems(of: text).sorted(), [
            "proxy.conf:1: unknown key servr (did you mean server?)",
            "proxy.conf:13: backend[0] \"app\": unknown key health.intervall (did you mean health.interval?)",
            "proxy.conf:8: route[0]: unknown key stiky (did you mean sticky?)",
            "proxy.conf:15: unknown key grip.completely_unrelated",
            "proxy.conf:11: unknown key timeouts.hodl (did you mean timeouts.hold?)",
        ].sorted())
    }

    func testKeyInTheWrongTableSaysWhereItBelongs() {
        XCTAssertEqual(problems(of: "listen = [\"127.0.0.1:80\"]\n" + validBase + "[server]\nhold = \"5s\"\n"), [
            "proxy.conf:1: unknown key listen (listen belongs in [server])",
            "proxy.conf:10: unknown key server.hold (hold belongs in [timeouts])",
        ])
    }

    func testDuplicateBackendName() {
        XCTAssertEqual(problems(of: validBase + "[[backend]]\nname = \"app\"\naddress = \"127.0.0.1:9001\"\n"),
                       [#"proxy.conf:9: backend[1] "app": name is already the name of backend[0]"#])
    }

    func testRouteNamingMissingBackend() {
        XCTAssertEqual(problems(of: validBase.replacingOccurrences(of: "[\"app\"]", with: "[\"ap\"]")),
                       [#"proxy.conf:7: route[0]: backends names "ap", which no [[backend]] declares, did you mean "app"?"#])
    }

    func testRouteWithoutBackends() {
        XCTAssertEqual(problems(of: validBase.replacingOccurrences(of: "backends = [\"app\"]", with: "backends = []")),
                       ["proxy.conf:7: route[0]: backends is required unless subscribe is set: name at least one [[backend]]"])
    }

    func testSubscribeRouteWithBackends() {
        XCTAssertEqual(problems(of: validBase + "subscribe = \"sse\"\n"),
                       [#"proxy.conf:7: route[0]: backends must be empty when subscribe is set (got ["app"])"#])
    }

    func testWebSocketModeOfARoute() {
        XCTAssertEqual(config(of: validBase)?.routes.first?.webSocket, .tunnel)
        XCTAssertEqual(config(of: validBase + "websocket = \"grip\"\n")?.routes.first?.webSocket, .grip)
        XCTAssertEqual(problems(of: validBase + "websocket = \"pushpin\"\n"),
                       [#"proxy.conf:8: route[0]: websocket expects "tunnel" or "grip" (got "pushpin")"#])
        XCTAssertEqual(problems(of: validBase + "[[route]]\npath_prefix = \"/ws/\"\nsubscribe = \"websocket\"\nwebsocket = \"grip\"\n"),
                       [#"proxy.conf:11: route[1]: websocket must not be "grip" when subscribe is set: there is no backend to speak to"#])
    }

    func testBadStickyAndSubscribe() {
        XCTAssertEqual(problems(of: validBase + "sticky = \"cookie:\"\n[[route]]\npath_prefix = \"/x\"\nsubscribe = \"ws\"\n"), [
            #"proxy.conf:8: route[0]: sticky expects one of "cookie:NAME", "header:NAME", "query:NAME", "ip", "none" (got "cookie:")"#,
            #"proxy.conf:11: route[1]: subscribe expects one of "sse", "longpoll", "stream", "websocket" (got "ws")"#,
            "proxy.conf:9: route[1]: backends is required unless subscribe is set: name at least one [[backend]]",
        ])
    }

    func testBadHostPatterns() {
        for host in ["foo.*.org", "*example.org", "exa mple.org", "", "*", "example.org:80", "-a.org"] {
            XCTAssertEqual(problems(of: validBase + "host = \(quoted(host))\n"),
                           [#"proxy.conf:8: route[0]: host expects a host like "example.org" or "*.example.org" (got \#(quoted(host)))"#],
                           host)
        }
    }

    func testBadAddresses() {
        for address in ["::1:8080", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536", "999.0.0.1:80", "[::1]8080", "[nothost]:80", "a b:80"] {
            XCTAssertEqual(problems(of: validBase + "[control]\nlisten = \(quoted(address))\n"),
                           [#"proxy.conf:9: control.listen expects an address like "127.0.0.1:5561" or "[::1]:9000" (got \#(quoted(address)))"#],
                           address)
        }
    }

    func testBadOriginsAndPaths() {
        XCTAssertEqual(problems(of: validBase.replacingOccurrences(of: "path_prefix = \"/\"", with: "path_prefix = \"api\"")
                                + "[cors]\nallow_origins = [\"https://a.example.com/\"]\n"), [
            #"proxy.conf:9: cors.allow_origins expects a list of origins like ["https://app.example.com", "https://*.example.org"], or ["*"] (got ["https://a.example.com/"])"#,
            #"proxy.conf:6: route[0]: path_prefix expects a path starting with "/", without "?" (got "api")"#,
        ])
    }

    func testTLSKeysGoTogetherAndFilesMustBeReadable() {
        XCTAssertEqual(problems(of: validBase + "[server.tls]\nlisten = \"0.0.0.0:8443\"\ncertificate = \"/nonexistent/cert.pem\"\n"), [
            #"proxy.conf:10: server.tls.certificate expects a path to a readable file (got "/nonexistent/cert.pem")"#,
            "proxy.conf:8: server.tls.private_key is required",
        ])
    }

    func testWrongTableShapes() {
        XCTAssertEqual(problems(of: "server = 5\n[backend]\nname = \"x\"\n"), [
            "proxy.conf:1: server expects a table (got 5)",
            "proxy.conf:2: backend expects an array of tables, written [[backend]] (got a table)",
            "proxy.conf: at least one [[route]] is required",
        ])
    }

    func testListenersMustNotShareAnAddress() {
        XCTAssertEqual(problems(of: validBase + "[server]\nlisten = [\"127.0.0.1:5561\"]\n"),
                       [#"proxy.conf:9: control.listen expects an address no other listener uses (got "127.0.0.1:5561", which server.listen uses too)"#])
    }

    func testSyntaxErrorGivesLineAndColumn() {
        let lines = problems(of: "[server]\nworkers = 2\nlisten = [\"a\"\n")
        XCTAssertEqual(lines.count, 1)
        XCTAssertTrue(lines[0].hasPrefix("proxy.conf:3:"), lines[0])
    }

    func testNulCharacterIsRefusedWithPosition() {
        XCTAssertEqual(problems(of: "[server]\nwork\0ers = 2\n"), ["proxy.conf:2:5: expects text (got a NUL character)"])
    }

    func testAllProblemsAreReported() {
        let lines = problems(of: """
            [server]
            workers = -1
            [timeouts]
            hold = "soon"
            [[backend]]
            name = "bad name"
            [[route]]
            path_prefix = "/"
            backends = ["missing"]
            """)
        XCTAssertEqual(lines, [
            "proxy.conf:2: server.workers expects an integer from 0 to 256 (got -1)",
            #"proxy.conf:4: timeouts.hold expects a duration like "55s" (got "soon")"#,
            #"proxy.conf:6: backend[0] "bad name": name expects a name made of letters, digits, "_", "." and "-" (got "bad name")"#,
            #"proxy.conf:5: backend[0] "bad name": address is required"#,
            #"proxy.conf:9: route[0]: backends names "missing", which no [[backend]] declares"#,
        ])
    }

    func testUnreadableFileIsNamed() {
        XCTAssertThrowsError(try ConfigLoader.load(path: "/nonexistent/proxy.conf")) { error in
            XCTAssertEqual("\(error)", "/nonexistent/proxy.conf: cannot read the file: No such file or directory")
        }
    }
}
