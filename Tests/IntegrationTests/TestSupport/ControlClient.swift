import Foundation

/// The control listener's endpoints (docs/operations.md), one connection per call.
struct ControlClient {
    let port: UInt16

    func healthz() throws -> HTTPResponse { try HTTPClient(port: port).get("/healthz") }

    func readyz() throws -> HTTPResponse { try HTTPClient(port: port).get("/readyz") }

    /// The Prometheus text of GET /metrics.
    func metrics() throws -> String {
        let response = try HTTPClient(port: port).get("/metrics")
        guard response.status == 200 else { throw HarnessError("GET /metrics expected 200, got \(response.status)") }
        return response.bodyText
    }

    /// GET /status as a JSON object.
    func status() throws -> [String: Any] {
        let response = try HTTPClient(port: port).get("/status")
        guard response.status == 200, let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
            throw HarnessError("GET /status expected 200 with a JSON object, got \(response.status): \(response.bodyText.prefix(500))")
        }
        return object
    }

    /// POST /publish/ with a JSON document of items.
    func publish(json: String, headers: [(String, String)] = []) throws -> HTTPResponse {
        try HTTPClient(port: port).post("/publish/", body: json, headers: [("Content-Type", "application/json")] + headers)
    }

    /// POST /publish/CHANNEL with a raw body (both formats).
    func publish(channel: String, body: String, headers: [(String, String)] = []) throws -> HTTPResponse {
        try HTTPClient(port: port).post("/publish/\(channel)", body: body, headers: headers)
    }
}
