import GRIP
import HTTP1

/// The pure half of `POST /publish/` and `POST /publish/CHANNEL` (SPEC §2): checks the token and turns
/// the body into items, or into the answer that refuses them. Nothing reaches a worker on refusal.
enum PublishEndpoint {
    static let pathPrefix = "/publish/"

    static func items(for request: ControlRequest, token: String?) -> Result<[PublishItem], ControlResponseError> {
        guard request.method == "POST" else { return .failure(.init(.methodNotAllowed(allow: "POST"))) }
        if let token, !authorizes(request.headers["Authorization"], token: token) {
            var refusal = ControlResponse.error(401, "expected header Authorization: Bearer <publish token>")
            refusal.headers.add("WWW-Authenticate", "Bearer")
            return .failure(.init(refusal))
        }
        let channelPart = request.path.dropFirst(pathPrefix.count)
        do throws(PublishError) {
            guard !channelPart.isEmpty else { return .success(try PublishRequest.parseJSON(request.body)) }
            guard let channel = percentDecoded(channelPart) else {
                throw PublishError(reason: "channel expected percent-encoded UTF-8 in the path; got \"\(channelPart)\"")
            }
            try PublishRequest.validate(channel: channel)
            return .success([PublishRequest.shorthand(channel: channel, body: request.body)])
        } catch {
            return .failure(.init(.error(400, error.reason)))
        }
    }

    /// `{"subscribers": N}`: how many held connections, over all workers, got the items.
    static func answer(delivered: Int) -> ControlResponse {
        .json(200, JSONText.object([("subscribers", String(delivered))]) + "\n")
    }

    /// Compares in time independent of where the strings differ, so the token cannot be guessed byte by byte.
    static func authorizes(_ header: String?, token: String) -> Bool {
        guard let header, header.hasPrefix("Bearer ") else { return false }
        let given = Array(header.utf8.dropFirst("Bearer ".utf8.count))
        let expected = Array(token.utf8)
        var difference = given.count == expected.count ? 0 : 1
        for index in expected.indices {
            difference |= Int(expected[index] ^ (index < given.count ? given[index] : 0))
        }
        return difference == 0
    }

    /// `%XX` escapes decoded; nil for a broken escape or bytes that are not UTF-8.
    static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// A ready answer that refuses a request, carried through `Result`.
struct ControlResponseError: Error {
    var response: ControlResponse
    init(_ response: ControlResponse) { self.response = response }
}
