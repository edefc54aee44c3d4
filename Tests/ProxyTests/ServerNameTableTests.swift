import Config
import XCTest
@testable import Proxy

/// Which certificate an SNI name selects: 0 is the default, n the n-th `[[server.tls.sni]]` entry.
final class ServerNameTableTests: XCTestCase {
    private let table = ServerNameTable(TLSListenConfig(
        listen: [EndpointAddress(host: "0.0.0.0", port: 8443)], certificatePath: "d.pem", privateKeyPath: "d.key",
        sni: [
            SNICertificateConfig(serverNames: [.exact("app.example.org"), .subdomains(of: "api.example.org")],
                                 certificatePath: "1.pem", privateKeyPath: "1.key"),
            SNICertificateConfig(serverNames: [.subdomains(of: "example.org")], certificatePath: "2.pem", privateKeyPath: "2.key"),
        ]))

    func testNamesSelectTheirEntryInFileOrder() {
        let cases: [(name: String, certificate: Int)] = [
            ("app.example.org", 1),
            ("v1.api.example.org", 1),
            ("a.b.api.example.org", 1),
            // The first entry lists only subdomains of api.example.org; the apex falls to the second's wildcard.
            ("api.example.org", 2),
            ("www.example.org", 2),
            // Neither entry names the apex itself.
            ("example.org", 0),
            ("example.com", 0),
            ("notexample.org", 0),
            ("", 0),
        ]
        for (name, certificate) in cases {
            XCTAssertEqual(table.certificate(forServerName: name), certificate, "SNI \(name.debugDescription)")
        }
    }

    func testMatchingIgnoresCaseAndATrailingDot() {
        XCTAssertEqual(table.certificate(forServerName: "APP.Example.ORG"), 1)
        XCTAssertEqual(table.certificate(forServerName: "www.example.org."), 2)
    }

    func testNoEntriesMeansTheDefault() {
        let plain = ServerNameTable(TLSListenConfig(listen: [EndpointAddress(host: "0.0.0.0", port: 8443)],
                                                    certificatePath: "d.pem", privateKeyPath: "d.key"))
        XCTAssertEqual(plain.certificate(forServerName: "app.example.org"), 0)
    }
}
