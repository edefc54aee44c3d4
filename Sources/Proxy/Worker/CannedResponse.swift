import HTTP1

/// Responses Holdfast makes itself (errors, built-in routes): a complete message in one buffer.
enum CannedResponse {
    static func make(status: Int, body: String = "", contentType: String = "text/plain; charset=utf-8",
                     close: Bool, extraHeaders: [(String, String)] = []) -> [UInt8] {
        let bodyBytes = Array((body.isEmpty ? "\(status) \(reasonPhrase(for: status))\n" : body).utf8)
        var headers = HTTPHeaders([("Content-Type", contentType), ("Content-Length", String(bodyBytes.count))])
        for (name, value) in extraHeaders { headers.add(name, value) }
        if close { headers.add("Connection", "close") }
        return HeadSerializer.response(status: status, reason: reasonPhrase(for: status), headers: headers) + bodyBytes
    }

    static func noContent(close: Bool) -> [UInt8] {
        HeadSerializer.response(status: 204, reason: "No Content", headers: HTTPHeaders(close ? [("Connection", "close")] : []))
    }
}
