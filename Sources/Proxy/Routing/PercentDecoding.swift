/// `%XX` escapes in URLs, for every place that reads them (query keys, channel names in paths).
enum PercentDecoding {
    enum BrokenEscapes {
        /// A `%` not followed by two hex digits stays as it is.
        case keep
        /// A `%` not followed by two hex digits, or a result that is not UTF-8, makes the whole text invalid.
        case refuse
    }

    /// The decoded text; nil only when `brokenEscapes` is `.refuse` and the text is broken.
    static func decode(_ text: Substring, plusAsSpace: Bool, brokenEscapes: BrokenEscapes) -> String? {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "%") || (plusAsSpace && $0 == UInt8(ascii: "+")) }) else {
            return String(text)
        }
        let input = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var position = 0
        while position < input.count {
            let byte = input[position]
            if byte == UInt8(ascii: "%") {
                if position + 2 < input.count, let high = hexValue(input[position + 1]), let low = hexValue(input[position + 2]) {
                    output.append(high << 4 | low)
                    position += 3
                    continue
                }
                if brokenEscapes == .refuse { return nil }
            }
            output.append(plusAsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            position += 1
        }
        switch brokenEscapes {
        case .keep: return String(decoding: output, as: UTF8.self)
        case .refuse: return String(validating: output, as: UTF8.self)
        }
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
