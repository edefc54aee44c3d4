/// WebSocket-over-HTTP scenarios: a `websocket = "grip"` route to backend.py's /woh.
extension ScenarioTestCase {
    func startGripProxy() throws -> Holdfast {
        try startProxy { config in
            config.routes = [["path_prefix": "/", "backends": ["app"], "websocket": "grip"]]
        }
    }

    func open(_ proxy: Holdfast, path: String = "/woh",
              extraHeaders: [(String, String)] = []) throws -> (WebSocketClient, HTTPResponseHead) {
        try WebSocketClient.open(try proxy.client(), path: path, headers: WebSocketClient.handshakeHeaders + extraHeaders)
    }

    /// What the backend received as WebSocket-over-HTTP requests, in order.
    func eventRequests() throws -> [LoggedRequest] {
        try backend.proxiedRequests().filter { $0.events != nil }
    }
}
