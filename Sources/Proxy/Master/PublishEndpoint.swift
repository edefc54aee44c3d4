import GRIP
import HTTP1

/// The pure half of `POST /publish/` and `POST /publish/CHANNEL` (docs/grip.md, "Publishing"): checks the token and turns
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
            guard let channel = PercentDecoding.decode(channelPart, plusAsSpace: false, brokenEscapes: .refuse) else {
                throw PublishError(reason: "channel expected percent-encoded UTF-8 in the path; got \"\(channelPart)\"")
            }
            try PublishRequest.validate(channel: channel)
            return .success([PublishRequest.shorthand(channel: channel, body: request.body)])
        } catch {
            return .failure(.init(.error(400, error.reason)))
        }
    }

    /// The items, encoded for the workers, or the refusal: all of a publish's work that needs nothing
    /// but the request, so it can run off the event loop.
    static func prepare(_ request: ControlRequest, token: String?) -> Result<PreparedPublish, ControlResponseError> {
        items(for: request, token: token).map { PreparedPublish(items: $0, encoded: PublishCodec.encode($0)) }
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
}

/// A ready answer that refuses a request, carried through `Result`.
struct ControlResponseError: Error {
    var response: ControlResponse
    init(_ response: ControlResponse) { self.response = response }
}

/// A validated publish, and its items in `PublishCodec`'s bytes.
struct PreparedPublish {
    var items: [PublishItem]
    var encoded: [UInt8]

    var itemCount: Int { items.count }
}
