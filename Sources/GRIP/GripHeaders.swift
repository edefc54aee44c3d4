/// Reads the `Grip-*` instructions of a backend response (docs/grip.md).
public enum GripHeaders {
    /// Used when Grip-Keep-Alive has no `timeout`: the default of `timeouts.stream_keepalive`.
    /// (Pushpin uses 55 s; 20 s keeps common idle-timeout proxies from cutting streams.)
    public static let defaultKeepAliveInterval: Duration = .seconds(20)

    /// nil when the response carries no Grip-Hold (then Grip-* are still stripped by the caller, see isGripHeader).
    /// Channels may come in several Grip-Channel headers and comma lists; params after ';'.
    /// Hold without channels, an unknown Grip-Hold value, a malformed value or a header that
    /// may appear once given twice is an error whose reason names the header and the value.
    /// The fields come as an array, not `some Sequence`: a generic called from another module runs
    /// unspecialized, a protocol call per field, and every backend response is asked.
    public static func parseHold(
        _ headers: [(name: String, value: String)],
        defaultKeepAliveInterval: Duration = defaultKeepAliveInterval
    ) throws(GripHeaderError) -> HoldInstruction? {
        var found = FoundHeaders()
        for header in headers where isGripHeader(header.name) {
            try found.add(name: header.name, value: header.value)
        }
        guard let hold = found.hold else { return nil }

        let mode = try parseMode(hold)
        let channels = try parseChannels(found.channels)
        guard !channels.isEmpty else {
            throw GripHeaderError(reason: "Grip-Hold needs at least one channel in Grip-Channel; got none")
        }
        return HoldInstruction(
            mode: mode,
            channels: channels,
            timeout: try found.timeout.map { value throws(GripHeaderError) in
                try parseSeconds(value, what: "Grip-Timeout")
            },
            keepAlive: try found.keepAlive.map { value throws(GripHeaderError) in
                try parseKeepAlive(value, defaultInterval: defaultKeepAliveInterval)
            },
            status: try found.status.map { value throws(GripHeaderError) in try parseStatus(value) },
            nextLink: try parseNextLink(found.links)
        )
    }

    /// The `Grip-Link` with `rel=next` of a response (a hold carries it in its instruction too):
    /// where a stream continues when the current response body ends.
    public static func nextLink(in headers: [(name: String, value: String)]) throws(GripHeaderError) -> GripLink? {
        // Every response is asked: its names are compared in place, and nothing is built for one without links.
        var links: [String] = []
        for header in headers where isNamed(header.name, "grip-link") { links.append(header.value) }
        return try parseNextLink(links)
    }

    /// Whether `name` starts with `Grip-`, in any case: such headers are never relayed.
    public static func isGripHeader(_ name: String) -> Bool { hasPrefix(name, lowercased: "grip-") }

    /// `name` is `lowercased` in any ASCII case.
    static func isNamed(_ name: String, _ lowercased: String) -> Bool {
        name.utf8.count == lowercased.utf8.count && hasPrefix(name, lowercased: lowercased)
    }

    /// Compared on the bytes in place: every field of every backend response is asked.
    private static func hasPrefix(_ name: String, lowercased prefix: String) -> Bool {
        guard name.utf8.count >= prefix.utf8.count else { return false }
        var name = name, prefix = prefix
        return name.withUTF8 { name in
            prefix.withUTF8 { prefix in prefix.indices.allSatisfy { lowercasedASCII(name[$0]) == prefix[$0] } }
        }
    }

    static func lowercasedASCII(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }
}

/// The raw values of the Grip headers of one response, before they are interpreted.
private struct FoundHeaders {
    var hold: String?
    var channels: [String] = []
    var timeout: String?
    var keepAlive: String?
    var status: String?
    var links: [String] = []

    mutating func add(name: String, value: String) throws(GripHeaderError) {
        switch String(decoding: name.utf8.map(GripHeaders.lowercasedASCII), as: UTF8.self) {
        case "grip-hold": try setOnce(&hold, value, header: "Grip-Hold")
        case "grip-channel": channels.append(value)
        case "grip-timeout": try setOnce(&timeout, value, header: "Grip-Timeout")
        case "grip-keep-alive": try setOnce(&keepAlive, value, header: "Grip-Keep-Alive")
        case "grip-status": try setOnce(&status, value, header: "Grip-Status")
        case "grip-link": links.append(value)
        default: break  // Grip-Sig echoes, Grip-Expose-Headers…: not acted on, still stripped
        }
    }

    private func setOnce(_ slot: inout String?, _ value: String, header: String) throws(GripHeaderError) {
        if let first = slot {
            throw GripHeaderError(reason: "\(header) expected once; got \"\(first)\" and \"\(value)\"")
        }
        slot = value
    }
}
