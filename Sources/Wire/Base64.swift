/// Base64 (RFC 4648) in both alphabets: standard for `body-bin`, `content-bin` and
/// Grip-Keep-Alive and WebSocket keys, URL-safe without padding for JWTs. Kept here so no module needs
/// Foundation for it.
public enum Base64 {
    public enum Alphabet {
        case standard, url

        var characters: [UInt8] {
            let common = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
            switch self {
            case .standard: return common + [UInt8(ascii: "+"), UInt8(ascii: "/")]
            case .url: return common + [UInt8(ascii: "-"), UInt8(ascii: "_")]
            }
        }
    }

    public static func encode(_ bytes: some Collection<UInt8>, alphabet: Alphabet = .standard, padded: Bool = true) -> String {
        let table = alphabet.characters
        let input = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity((input.count + 2) / 3 * 4)
        var index = 0
        while index < input.count {
            let remaining = input.count - index
            let b0 = UInt32(input[index])
            let b1 = remaining > 1 ? UInt32(input[index + 1]) : 0
            let b2 = remaining > 2 ? UInt32(input[index + 2]) : 0
            let group = b0 << 16 | b1 << 8 | b2
            out.append(table[Int(group >> 18 & 63)])
            out.append(table[Int(group >> 12 & 63)])
            if remaining > 1 { out.append(table[Int(group >> 6 & 63)]) } else if padded { out.append(UInt8(ascii: "=")) }
            if remaining > 2 { out.append(table[Int(group & 63)]) } else if padded { out.append(UInt8(ascii: "=")) }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// nil when `text` holds a character outside the alphabet, misplaced padding, or a length no encoder produces.
    /// Padding is optional.
    public static func decode(_ text: String, alphabet: Alphabet = .standard) -> [UInt8]? {
        var values: [UInt8] = []
        values.reserveCapacity(text.utf8.count)
        var lookup = [UInt8](repeating: 0xFF, count: 256)
        for (value, character) in alphabet.characters.enumerated() { lookup[Int(character)] = UInt8(value) }

        var padding = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: "=") {
                padding += 1
                continue
            }
            let value = lookup[Int(byte)]
            guard value != 0xFF, padding == 0 else { return nil }
            values.append(value)
        }
        let tail = values.count % 4
        guard tail != 1, padding == 0 || (tail != 0 && tail + padding == 4) else { return nil }

        var out: [UInt8] = []
        out.reserveCapacity(values.count * 3 / 4)
        var index = 0
        while index < values.count {
            let count = min(4, values.count - index)
            var group: UInt32 = 0
            for offset in 0..<4 { group = group << 6 | (offset < count ? UInt32(values[index + offset]) : 0) }
            out.append(UInt8(group >> 16 & 0xFF))
            if count > 2 { out.append(UInt8(group >> 8 & 0xFF)) }
            if count > 3 { out.append(UInt8(group & 0xFF)) }
            index += 4
        }
        return out
    }
}
