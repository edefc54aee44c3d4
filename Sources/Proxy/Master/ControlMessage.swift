import GRIP
import HTTP1

/// A complete request to the control listener: head and whole body.
struct ControlRequest {
    var method: String
    var target: String
    var headers: HTTPHeaders
    var body: [UInt8]

    /// The target without its query (found in the UTF-8 view: walking Characters cost a tenth of
    /// the master's time per publish).
    var path: Substring { target[..<(target.utf8.firstIndex(of: UInt8(ascii: "?")) ?? target.endIndex)] }
}

/// An answer of the control listener, always with a known length.
struct ControlResponse: Equatable {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]

    static func text(_ status: Int, _ text: String) -> ControlResponse {
        ControlResponse(status: status, headers: HTTPHeaders([("Content-Type", "text/plain; charset=utf-8")]), body: Array(text.utf8))
    }

    static func json(_ status: Int, _ json: String) -> ControlResponse {
        ControlResponse(status: status, headers: HTTPHeaders([("Content-Type", "application/json")]), body: Array(json.utf8))
    }

    /// `{"error": "reason"}`.
    static func error(_ status: Int, _ reason: String) -> ControlResponse {
        json(status, JSONText.object([("error", JSONText.quoted(reason))]) + "\n")
    }

    static func methodNotAllowed(allow: String) -> ControlResponse {
        var response = error(405, "expected method \(allow)")
        response.headers.add("Allow", allow)
        return response
    }

    /// The wire bytes: head (with Content-Length, and `Connection: close` when the connection ends) and body.
    func serialized(closing: Bool) -> [UInt8] {
        var fields = headers
        fields.add("Content-Length", String(body.count))
        if closing { fields.add("Connection", "close") }
        return HeadSerializer.response(status: status, reason: reasonPhrase(for: status), headers: fields) + body
    }
}
