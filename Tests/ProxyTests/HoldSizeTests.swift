import XCTest
@testable import Proxy

@_silgen_name("malloc_usable_size") private func mallocUsableSize(_ pointer: UnsafeMutableRawPointer) -> Int

/// One `Hold` per held client: it must stay in glibc's 64-byte heap chunk (56 usable bytes),
/// token expiry included (see the field-order comment in Hold.swift).
final class HoldSizeTests: XCTestCase {
    func testAHoldFitsOneSixtyFourByteChunk() {
        let hold = Hold(kind: .response(timeoutResponse: [], headOnly: false), channels: ["c"], chunked: true, keepAlive: true,
                        wakeInterval: .seconds(1), route: 0, tokenExpiry: 1_000_000)
        XCTAssertLessThanOrEqual(mallocUsableSize(Unmanaged.passUnretained(hold).toOpaque()), 56)
    }
}
