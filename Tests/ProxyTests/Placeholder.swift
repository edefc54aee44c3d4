import XCTest
final class ProxyTestsPlaceholder: XCTestCase { func testNothing() {} }
