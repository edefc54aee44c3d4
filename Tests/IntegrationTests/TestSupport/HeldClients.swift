/// Opens `count` client connections that each send `GET target` and leave the answer unread,
/// so that the proxy holds them (for `/hold?...` targets).
func openHeldClients(_ proxy: Holdfast, count: Int, target: String) throws -> [HTTPClient] {
    try (0..<count).map { _ in
        let client = try proxy.client()
        try client.sendRequest("GET", target)
        return client
    }
}
