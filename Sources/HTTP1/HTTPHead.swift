/// An ordered list of header fields as they arrived (names keep their case; lookups ignore it).
public struct HTTPHeaders: Sendable, Equatable, Sequence {
    public private(set) var fields: [(name: String, value: String)]
    /// Every field is known to pass `HeadSerializer.isValidField`: they came from the parser, which
    /// refuses the rest, and none was added since. `HeadWriter` then writes them without checking again.
    private(set) var fieldsAreWireSafe: Bool

    public init(_ fields: [(name: String, value: String)] = []) {
        self.fields = fields
        fieldsAreWireSafe = fields.isEmpty
    }

    init(parsed fields: [(name: String, value: String)]) {
        self.fields = fields
        fieldsAreWireSafe = true
    }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }

    /// The first value of `name`, case-insensitively.
    public subscript(name: String) -> String? {
        fields.first { $0.name.equalsIgnoringASCIICase(name) }?.value
    }

    public func values(_ name: String) -> [String] {
        fields.filter { $0.name.equalsIgnoringASCIICase(name) }.map(\.value)
    }

    public func contains(_ name: String) -> Bool { self[name] != nil }

    /// Each element of the comma-separated lists in the `name` fields (RFC 9110 §5.6.1), in order,
    /// without surrounding whitespace; empty elements are skipped.
    public func forEachListElement(of name: String, _ body: (String) -> Void) {
        for field in fields where field.name.equalsIgnoringASCIICase(name) {
            var value = field.value
            value.withUTF8 { bytes in
                ListSyntax.forEachElement(of: UnsafeRawBufferPointer(bytes)) { body(String(decoding: $0, as: UTF8.self)) }
            }
        }
    }

    public mutating func add(_ name: String, _ value: String) {
        fields.append((name, value))
        fieldsAreWireSafe = false
    }

    /// Removing what is not there touches nothing: a head shared with its parser's result is not
    /// copied for it (this runs on every request).
    public mutating func remove(_ name: String) {
        removeAll { $0.equalsIgnoringASCIICase(name) }
    }

    public mutating func removeAll(where shouldRemove: (String) -> Bool) {
        // One pass of the test over the fields, and none of them copied if nothing matches.
        guard let first = fields.firstIndex(where: { shouldRemove($0.name) }) else { return }
        var kept = Array(fields[..<first])
        kept.reserveCapacity(fields.count - 1)
        for field in fields[(first + 1)...] where !shouldRemove(field.name) { kept.append(field) }
        fields = kept
    }

    public mutating func replace(_ name: String, _ value: String) {
        remove(name)
        add(name, value)
    }
}

extension String {
    /// Equality ignoring ASCII case, without allocating: header names are ASCII tokens.
    public func equalsIgnoringASCIICase(_ other: String) -> Bool {
        utf8.count == other.utf8.count && hasPrefixIgnoringASCIICase(other)
    }

    public func hasPrefixIgnoringASCIICase(_ prefix: String) -> Bool {
        guard utf8.count >= prefix.utf8.count else { return false }
        // On the bytes in place (no copy for a native string): this runs for every field of every head.
        var string = self, prefix = prefix
        return string.withUTF8 { bytes in
            prefix.withUTF8 { prefix in
                for index in prefix.indices where ByteClass.lowercased(bytes[index]) != ByteClass.lowercased(prefix[index]) {
                    return false
                }
                return true
            }
        }
    }
}

public enum HTTPVersion: Sendable, Equatable {
    case http10, http11
}

/// How a message body is delimited (RFC 9112 §6).
public enum BodyFraming: Sendable, Equatable {
    case none
    case contentLength(UInt64)
    case chunked
    /// Responses only: the body ends when the connection closes.
    case untilClose
}

public struct RequestHead: Sendable, Equatable {
    public var method: String
    /// The request target exactly as sent (origin-form `/path?query`, or absolute-form).
    public var target: String
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    public var framing: BodyFraming
    /// Whether the client wants the connection kept open after this exchange.
    public var keepAlive: Bool

    /// A declared Content-Length over `limit`: refused (413) before any of the body is read.
    public func declaresBody(over limit: Int) -> Bool {
        if case let .contentLength(length) = framing { return length > UInt64(limit) }
        return false
    }

    public init(method: String, target: String, version: HTTPVersion, headers: HTTPHeaders,
                framing: BodyFraming, keepAlive: Bool) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.framing = framing
        self.keepAlive = keepAlive
    }
}

public struct ResponseHead: Sendable, Equatable {
    public var status: Int
    public var reason: String
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    public var framing: BodyFraming
    public var keepAlive: Bool

    public init(status: Int, reason: String, version: HTTPVersion, headers: HTTPHeaders,
                framing: BodyFraming, keepAlive: Bool) {
        self.status = status
        self.reason = reason
        self.version = version
        self.headers = headers
        self.framing = framing
        self.keepAlive = keepAlive
    }
}

/// Why a request was refused, and the status it is answered with (docs/architecture.md, "Bad input").
public enum HTTPRequestError: Error, Sendable, Equatable {
    case badRequest(String)
    case uriTooLong
    case headerFieldsTooLarge
    case payloadTooLarge
    case notImplemented(String)
    case versionNotSupported

    public var status: Int {
        switch self {
        case .badRequest: 400
        case .uriTooLong: 414
        case .headerFieldsTooLarge: 431
        case .payloadTooLarge: 413
        case .notImplemented: 501
        case .versionNotSupported: 505
        }
    }
}

public struct HTTPLimits: Sendable, Equatable {
    public var maxHeaderBytes: Int
    public var maxURIBytes: Int
    public var maxHeaders: Int
    public var maxBodyBytes: Int
    public init(maxHeaderBytes: Int = 16384, maxURIBytes: Int = 8192, maxHeaders: Int = 100, maxBodyBytes: Int = 1_048_576) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxURIBytes = maxURIBytes
        self.maxHeaders = maxHeaders
        self.maxBodyBytes = maxBodyBytes
    }
}
