import Foundation
import XCTest

/// Clients that vanish while held leave nothing behind, however the proxy learns of it.
final class GripVanishingClientTests: ScenarioTestCase {
    func testClientsResetJustBeforeAPublishAreAllReleased() throws {
        let proxy = try startProxy()
        var clients = try openHeldClients(proxy, count: 50, target: holdTarget(channels: "gone"))
        try proxy.control.waitUntilHeld(50)
        // Half the clients first send more than a request head may hold: the proxy stops reading
        // them, so their reset is noticed only when the publish's write fails; the other half's
        // resets are noticed by reading.
        for client in clients.prefix(25) { try client.send([UInt8](repeating: UInt8(ascii: "x"), count: 20_000)) }
        try eventually("the proxy has read the extra bytes") { try unreadBytesOnServerSockets(port: proxy.port) == 0 }
        for client in clients { client.resetOnRelease() }
        clients = []
        _ = try proxy.control.publishShorthand(channel: "gone", body: "late")
        try eventually("every reset client is released") {
            let connections = try proxy.control.status()["connections"] as? [String: Any]
            return connections?["clients"] as? Int == 0 && connections?["held"] as? Int == 0
        }
        XCTAssertEqual(try proxy.control.publishShorthand(channel: "gone", body: "nobody"), 0)
    }
}

/// Bytes waiting in the receive queues of the established sockets listening-side on `port`
/// (read from /proc/net/tcp: what the proxy has not read yet).
private func unreadBytesOnServerSockets(port: UInt16) throws -> Int {
    let table = try String(contentsOfFile: "/proc/net/tcp", encoding: .utf8)
    let localPort = String(format: ":%04X", port)
    var unread = 0
    for line in table.split(separator: "\n").dropFirst() {
        let fields = line.split(separator: " ")
        // sl, local_address, rem_address, st, tx_queue:rx_queue, ...
        guard fields.count > 4, fields[1].hasSuffix(localPort), fields[3] == "01" else { continue }
        unread += Int(fields[4].split(separator: ":")[1], radix: 16) ?? 0
    }
    return unread
}
