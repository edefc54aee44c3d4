import HTTP1

/// Responses Holdfast makes itself (errors, built-in routes): a complete message in one buffer.
/// `cors`: the request's CORS headers, when its route has CORS (Holdfast's own errors carry them too:
/// docs/security.md).
enum CannedResponse {
    static func make(status: Int, body: String = "", contentType: String = "text/plain; charset=utf-8",
                     close: Bool, extraHeaders: [(String, String)] = [], cors: CORSHeaders?) -> [UInt8] {
        let bodyBytes = Array((body.isEmpty ? "\(status) \(reasonPhrase(for: status))\n" : body).utf8)
        var headers = HTTPHeaders([("Content-Type", contentType), ("Content-Length", String(bodyBytes.count))])
        for (name, value) in extraHeaders { headers.add(name, value) }
        cors?.apply(to: &headers)
        if close { headers.add("Connection", "close") }
        return HeadSerializer.response(status: status, reason: reasonPhrase(for: status), headers: headers) + bodyBytes
    }

    static func noContent(close: Bool, cors: CORSHeaders?) -> [UInt8] {
        var headers = HTTPHeaders(close ? [("Connection", "close")] : [])
        cors?.apply(to: &headers)
        return HeadSerializer.response(status: 204, reason: "No Content", headers: headers)
    }
}
