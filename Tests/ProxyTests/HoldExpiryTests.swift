import XCTest
@testable import Proxy

/// A hold admitted by a JWT wakes at its token's expiry when that comes before its own tick.
final class HoldExpiryTests: XCTestCase {
    private func hold(wakeInterval: Duration?, tokenExpiry: Int64?) -> Hold {
        Hold(kind: .subscribeSSE, channels: ["c"], chunked: true, keepAlive: true, wakeInterval: wakeInterval, route: 0,
             cors: nil, tokenExpiry: tokenExpiry)
    }

    func testWakeTimes() {
        let rows: [(String, Duration?, Int64?, Int64?)] = [
            ("tick only", .seconds(20), nil, 1_020_000),
            ("never", nil, nil, nil),
            ("expiry before the tick", .seconds(20), 1_005_000, 1_005_000),
            ("tick before the expiry", .seconds(20), 1_050_000, 1_020_000),
            ("expiry without a tick", nil, 1_005_000, 1_005_000),
            ("expiry rounded up to its second", nil, 1_005_001, 1_006_000),
        ]
        for (name, interval, expiry, wake) in rows {
            XCTAssertEqual(hold(wakeInterval: interval, tokenExpiry: expiry).wakeAt(from: 1_000_000), wake, name)
        }
    }

    func testTokenExpired() {
        let expiring = hold(wakeInterval: .seconds(20), tokenExpiry: 1_005_000)
        XCTAssertFalse(expiring.tokenExpired(at: 1_004_999))
        XCTAssertTrue(expiring.tokenExpired(at: 1_005_000))
        XCTAssertFalse(hold(wakeInterval: .seconds(20), tokenExpiry: nil).tokenExpired(at: .max))
    }
}
