import XCTest
final class GRIPTestsPlaceholder: XCTestCase { func testNothing() {} }
