import XCTest
import HTTP1

final class FieldNameSetTests: XCTestCase {
    func testNamesAreFoundInAnyCaseAndOnlyWhole() {
        let names = FieldNameSet(["connection", "te", "keep-alive", "proxy-authorization"])
        for present in ["Connection", "TE", "te", "KEEP-ALIVE", "Proxy-Authorization"] { XCTAssertTrue(names.contains(present), present) }
        for absent in ["", "t", "tes", "connectio", "connections", "keep_alive", "x-proxy-authorization-long-name"] {
            XCTAssertFalse(names.contains(absent), absent)
        }
        XCTAssertFalse(FieldNameSet([]).contains("te"))
    }
}
