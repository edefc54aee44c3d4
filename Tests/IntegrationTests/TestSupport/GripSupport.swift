import Foundation

/// A request target for backend.py's `/hold`: the backend answers with `Grip-Hold: <mode>` and the
/// given channels, plus each parameter as its `Grip-*` header (timeout, status, keepalive, link) or body.
func holdTarget(mode: String = "response", channels: String, _ parameters: [(String, String)] = []) -> String {
    "/hold?" + ([("mode", mode), ("channels", channels)] + parameters)
        .map { "\($0.0)=\(queryEscaped($0.1))" }
        .joined(separator: "&")
}

/// `text` with everything but unreserved characters percent-encoded, for a query value.
func queryEscaped(_ text: String) -> String {
    let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
    return text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
}

/// The 200 answer of a publish: `{"subscribers": N}`.
struct PublishAnswer: Decodable {
    var subscribers: Int
}

/// One `http-response` item as publish JSON.
func httpResponseItem(channel: String, code: Int = 200, headers: [String: String] = [:], body: String, id: String? = nil) -> [String: Any] {
    var item: [String: Any] = ["channel": channel,
                               "formats": ["http-response": ["code": code, "headers": headers, "body": body]]]
    if let id { item["id"] = id }
    return item
}

/// One `http-stream` item (content, or an action such as "close") as publish JSON.
func httpStreamItem(channel: String, content: String? = nil, action: String? = nil, id: String? = nil) -> [String: Any] {
    var format: [String: Any] = [:]
    if let content { format["content"] = content }
    if let action { format["action"] = action }
    var item: [String: Any] = ["channel": channel, "formats": ["http-stream": format]]
    if let id { item["id"] = id }
    return item
}

extension ControlClient {
    /// Publishes `items` as `{"items": [...]}` and returns how many subscribers were reached.
    @discardableResult
    func publish(items: [[String: Any]], headers: [(String, String)] = []) throws -> Int {
        let json = String(decoding: try JSONSerialization.data(withJSONObject: ["items": items]), as: UTF8.self)
        return try decode(PublishAnswer.self, from: publish(json: json, headers: headers)).subscribers
    }

    /// Shorthand publish; returns how many subscribers were reached.
    @discardableResult
    func publishShorthand(channel: String, body: String) throws -> Int {
        try decode(PublishAnswer.self, from: publish(channel: channel, body: body)).subscribers
    }

    /// `connections.held` of GET /status: held clients over all workers.
    func heldConnections() throws -> Int {
        guard let connections = try status()["connections"] as? [String: Any], let held = connections["held"] as? Int else {
            throw HarnessError("GET /status expected connections.held as an integer, it was missing")
        }
        return held
    }

    /// Waits (bounded) until exactly `count` clients are held, so a publish cannot race a subscription.
    func waitUntilHeld(_ count: Int, timeout: Duration = .seconds(10)) throws {
        try eventually("\(count) clients are held", timeout: timeout) { try heldConnections() == count }
    }

    /// The value of the sample `name{labels}` in GET /metrics (labels as written, e.g. `reason="slow_reader"`);
    /// nil when no such sample is exported.
    func metric(_ name: String, labels: String = "") throws -> Double? {
        let key = labels.isEmpty ? name : "\(name){\(labels)}"
        for line in try metrics().split(separator: "\n") where line.hasPrefix(key + " ") {
            return Double(line.dropFirst(key.count + 1).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}

extension HTTPClient {
    /// Reads stream body parts until the text read so far satisfies `done`; fails if the body ends
    /// first or `timeout` passes. Returns the text read.
    func readStream(until what: String, timeout: Duration = .seconds(5), _ done: (String) -> Bool) throws -> String {
        let deadline = ContinuousClock.now + timeout
        var text = ""
        while !done(text) {
            let remaining = ContinuousClock.now.duration(to: deadline)
            let part = remaining > .zero ? try? readBodyPart(timeout: remaining) : nil
            guard let part else {
                throw HarnessError("stream expected to carry \(what) within \(timeout), got \(text.debugDescription)")
            }
            text += String(decoding: part, as: UTF8.self)
        }
        return text
    }
}

/// The `Grip-*` header names in a response head (none may reach a client).
func gripHeaderNames(_ head: HTTPResponseHead) -> [String] {
    head.headers.map(\.name).filter { $0.lowercased().hasPrefix("grip-") }
}
