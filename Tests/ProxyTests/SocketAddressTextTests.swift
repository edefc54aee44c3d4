import EventLoop
import XCTest

/// The client address text relayed in `X-Forwarded-For` and used for `sticky = "ip"`.
final class SocketAddressTextTests: XCTestCase {
    func testIPv4IsDottedDecimalWithoutLeadingZeros() throws {
        for text in ["127.0.0.1", "0.0.0.0", "10.0.100.9", "192.168.1.254", "255.255.255.255", "1.20.3.40"] {
            XCTAssertEqual(try SocketAddress.resolve(host: text, port: 80).ipString, text)
        }
    }

    func testIPv6IsTheShortForm() throws {
        XCTAssertEqual(try SocketAddress.resolve(host: "::1", port: 80).ipString, "::1")
        XCTAssertEqual(try SocketAddress.resolve(host: "2001:db8:0:0:0:0:0:1", port: 80).ipString, "2001:db8::1")
    }
}
