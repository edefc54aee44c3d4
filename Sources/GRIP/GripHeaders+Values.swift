import Wire

/// The parsers of each Grip header's value.
extension GripHeaders {
    static func parseMode(_ value: String) throws(GripHeaderError) -> HoldMode {
        switch HeaderElement.trimmed(value).lowercased() {
        case "response": return .response
        case "stream": return .stream
        default: throw GripHeaderError(reason: "Grip-Hold expects response or stream; got \"\(value)\"")
        }
    }

    /// Every element of every Grip-Channel header; a channel named twice is kept once (its first prev-id wins).
    static func parseChannels(_ values: [String]) throws(GripHeaderError) -> [ChannelSubscription] {
        var channels: [ChannelSubscription] = []
        for value in values {
            for element in try HeaderElement.parse(value, header: "Grip-Channel", commaSeparated: true) {
                guard !element.value.isEmpty else {
                    throw GripHeaderError(reason: "Grip-Channel has an empty channel name in \"\(value)\"")
                }
                let prevID = try element.parameter("prev-id", header: "Grip-Channel")
                if !channels.contains(where: { $0.name == element.value }) {
                    channels.append(ChannelSubscription(name: element.value, prevID: prevID))
                }
            }
        }
        return channels
    }

    /// Whole seconds, at least 1.
    static func parseSeconds(_ value: String, what: String) throws(GripHeaderError) -> Duration {
        let text = HeaderElement.trimmed(value)
        guard !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              let seconds = Int(text), seconds >= 1 else {
            throw GripHeaderError(reason: "\(what) expects whole seconds, at least 1; got \"\(value)\"")
        }
        return .seconds(seconds)
    }

    static func parseKeepAlive(_ value: String, defaultInterval: Duration) throws(GripHeaderError) -> KeepAlive {
        let header = "Grip-Keep-Alive"
        guard let element = try HeaderElement.parse(value, header: header, commaSeparated: false).first,
              !element.value.isEmpty else {
            throw GripHeaderError(reason: "\(header) expects data before its parameters; got \"\(value)\"")
        }
        let data: [UInt8]
        switch try element.parameter("format", header: header) ?? "raw" {
        case "raw":
            data = Array(element.value.utf8)
        case "cstring":
            data = try CString.unescape(element.value)
        case "base64":
            guard let decoded = Base64.decode(element.value), !decoded.isEmpty else {
                throw GripHeaderError(reason: "\(header) expects non-empty base64 data; got \"\(element.value)\"")
            }
            data = decoded
        case let other:
            throw GripHeaderError(reason: "\(header) format expects raw, cstring or base64; got \"\(other)\"")
        }
        // Pushpin's mode=interval sends even on busy streams; sending on idle ones only is close enough.
        switch try element.parameter("mode", header: header) ?? "idle" {
        case "idle", "interval": break
        case let other: throw GripHeaderError(reason: "\(header) mode expects idle or interval; got \"\(other)\"")
        }
        let interval = try element.parameter("timeout", header: header).map { value throws(GripHeaderError) in
            try parseSeconds(value, what: "\(header) timeout")
        }
        return KeepAlive(data: data, interval: interval ?? defaultInterval)
    }

    /// `CODE` or `CODE REASON`, CODE a final status.
    static func parseStatus(_ value: String) throws(GripHeaderError) -> GripStatus {
        let text = HeaderElement.trimmed(value)
        let codeText = text.prefix { $0 != " " }
        guard codeText.count == 3, let code = Int(codeText), FinalStatus.codes.contains(code) else {
            throw GripHeaderError(reason: "Grip-Status expects a final status code from 200 to 599, then an optional reason; got \"\(value)\"")
        }
        let reason = HeaderElement.trimmed(String(text.dropFirst(codeText.count)))
        guard reason.unicodeScalars.allSatisfy({ $0 == "\t" || ($0.value >= 0x20 && $0.value != 0x7F) }) else {
            throw GripHeaderError(reason: "Grip-Status reason has control characters: \"\(value)\"")
        }
        return GripStatus(code: code, reason: reason)
    }

    /// The one `rel=next` link of all Grip-Link headers; links with other relations are ignored.
    static func parseNextLink(_ values: [String]) throws(GripHeaderError) -> GripLink? {
        let header = "Grip-Link"
        var next: GripLink?
        for value in values {
            for element in try HeaderElement.parse(value, header: header, commaSeparated: true)
            where try element.parameter("rel", header: header) == "next" {
                guard next == nil else {
                    throw GripHeaderError(reason: "\(header) expects one link with rel=next; got several")
                }
                let bytes = Array(element.value.utf8)
                guard bytes.count > 2, bytes.first == UInt8(ascii: "<"), bytes.last == UInt8(ascii: ">"),
                      bytes.dropFirst().dropLast().allSatisfy({ $0 > 0x20 && $0 != 0x7F && $0 != UInt8(ascii: ">") }) else {
                    throw GripHeaderError(reason: "\(header) expects <URL>; rel=next with a URL without spaces; got \"\(element.value)\"")
                }
                let timeout = try element.parameter("timeout", header: header).map { value throws(GripHeaderError) in
                    try parseSeconds(value, what: "\(header) timeout")
                }
                next = GripLink(url: String(decoding: bytes.dropFirst().dropLast(), as: UTF8.self), timeout: timeout)
            }
        }
        return next
    }
}
