import XCTest
@testable import Config

/// `[server.tls]` with `min_version` and `[[server.tls.sni]]` (docs/configuration.md).
final class TLSConfigTests: XCTestCase {
    /// Any readable file passes the load; certificates are checked by the master (`TLSCertificateLoader`).
    private let file = #filePath

    private var tlsBase: String {
        validBase + """
            [server.tls]
            listen = "0.0.0.0:8443"
            certificate = "\(file)"
            private_key = "\(file)"

            """
    }

    func testSNIEntriesAndMinVersionAreRead() throws {
        let config = try XCTUnwrap(config(of: tlsBase.replacingOccurrences(of: "listen = \"0.0.0.0:8443\"",
                                                                          with: "listen = \"0.0.0.0:8443\"\nmin_version = \"1.3\"") + """
            [[server.tls.sni]]
            server_names = ["App.Example.org", "*.example.net"]
            certificate = "\(file)"
            private_key = "\(file)"

            [[server.tls.sni]]
            server_names = ["other.example"]
            certificate = "\(file)"
            private_key = "\(file)"
            """))
        let tls = try XCTUnwrap(config.server.tls)
        XCTAssertEqual(tls.minVersion, .tls13)
        XCTAssertEqual(tls.sni, [
            SNICertificateConfig(serverNames: [.exact("app.example.org"), .subdomains(of: "example.net")], certificatePath: file, privateKeyPath: file),
            SNICertificateConfig(serverNames: [.exact("other.example")], certificatePath: file, privateKeyPath: file),
        ])
    }

    func testListenTakesOneAddressOrAList() throws {
        XCTAssertEqual(config(of: tlsBase)?.server.tls?.listen, [EndpointAddress(host: "0.0.0.0", port: 8443)])
        let two = tlsBase.replacingOccurrences(of: "listen = \"0.0.0.0:8443\"", with: "listen = [\"0.0.0.0:8443\", \"[::]:8443\"]")
        XCTAssertEqual(config(of: two)?.server.tls?.listen,
                       [EndpointAddress(host: "0.0.0.0", port: 8443), EndpointAddress(host: "::", port: 8443)])
        let none = tlsBase.replacingOccurrences(of: "listen = \"0.0.0.0:8443\"", with: "listen = []")
        XCTAssertEqual(problems(of: none), [#"proxy.conf:9: server.tls.listen expects an address like "0.0.0.0:8443" or a non-empty list of them (got [])"#])
    }

    func testMinVersionDefaultsTo12() throws {
        XCTAssertEqual(try XCTUnwrap(config(of: tlsBase)?.server.tls).minVersion, .tls12)
    }

    func testOldOrUnknownMinVersionIsRefusedWithItsLine() {
        for version in ["1.1", "1.0", "3"] {
            XCTAssertEqual(problems(of: tlsBase + "min_version = \"\(version)\"\n"), [
                #"proxy.conf:12: server.tls.min_version expects "1.2" or "1.3" (got "\#(version)")"#,
            ])
        }
    }

    func testSNIEntryProblemsNameTheEntryAndLine() {
        XCTAssertEqual(problems(of: tlsBase + """
            [[server.tls.sni]]
            server_names = ["ok.example", "bad name"]
            certificate = "/nonexistent/cert.pem"
            key = "x"
            """), [
            "proxy.conf:15: server.tls.sni[0]: unknown key key (key belongs in [[auth]])",
            #"proxy.conf:13: server.tls.sni[0]: server_names expects a non-empty list of hosts like ["example.org", "*.example.org"] (got ["ok.example", "bad name"])"#,
            #"proxy.conf:14: server.tls.sni[0]: certificate expects a path to a readable file (got "/nonexistent/cert.pem")"#,
            "proxy.conf:12: server.tls.sni[0]: private_key is required",
        ])
    }

    func testEmptyServerNamesAreRefused() {
        XCTAssertEqual(problems(of: tlsBase + "[[server.tls.sni]]\nserver_names = []\ncertificate = \"\(file)\"\nprivate_key = \"\(file)\"\n"), [
            #"proxy.conf:13: server.tls.sni[0]: server_names expects a non-empty list of hosts like ["example.org", "*.example.org"] (got [])"#,
        ])
    }
}
