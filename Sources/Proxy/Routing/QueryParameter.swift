/// Query parameters of a request target, decoded as HTML forms encode them.
enum QueryParameter {
    /// The first parameter called `name` in `target` (origin- or absolute-form, fragment
    /// ignored), name and value decoded; "" for a parameter without `=`; nil when absent.
    static func value(named name: String, in target: String) -> String? {
        let withoutFragment = target.prefix { $0 != "#" }
        guard let questionMark = withoutFragment.firstIndex(of: "?") else { return nil }
        let query = withoutFragment[withoutFragment.index(after: questionMark)...]
        for parameter in query.split(separator: "&") {
            let equals = parameter.firstIndex(of: "=") ?? parameter.endIndex
            guard decode(parameter[..<equals]) == name else { continue }
            return equals == parameter.endIndex ? "" : decode(parameter[parameter.index(after: equals)...])
        }
        return nil
    }

    /// `%XX` becomes that byte and `+` a space (not in a path: `plusAsSpace: false`). A `%` not
    /// followed by two hex digits is kept as it is, since a key should still be found in a sloppy URL.
    static func decode(_ text: Substring, plusAsSpace: Bool = true) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "%") || (plusAsSpace && $0 == UInt8(ascii: "+")) }) else {
            return String(text)
        }
        let input = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var position = 0
        while position < input.count {
            let byte = input[position]
            if byte == UInt8(ascii: "%"), position + 2 < input.count,
               let high = hexValue(input[position + 1]), let low = hexValue(input[position + 2]) {
                output.append(high << 4 | low)
                position += 3
                continue
            }
            output.append(plusAsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            position += 1
        }
        return String(decoding: output, as: UTF8.self)
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
