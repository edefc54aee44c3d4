/// Close status codes (RFC 6455 §7.4).
public enum CloseCode {
    public static let normal: UInt16 = 1000
    public static let goingAway: UInt16 = 1001
    public static let protocolError: UInt16 = 1002
    /// Text that is not UTF-8 (also in a close reason).
    public static let invalidPayload: UInt16 = 1007
    public static let policyViolation: UInt16 = 1008
    public static let messageTooBig: UInt16 = 1009
    public static let internalError: UInt16 = 1011

    /// Whether a peer may send `code` in a close frame: the defined codes (1000–1003, 1007–1011),
    /// the ones IANA registered since (1012–1014), and the ranges for libraries and applications
    /// (3000–4999). 1004–1006 and 1015 are reserved, never sent; the rest is unassigned.
    public static func isValidOnWire(_ code: UInt16) -> Bool {
        switch code {
        case 1000...1003, 1007...1014, 3000...4999: return true
        default: return false
        }
    }
}
