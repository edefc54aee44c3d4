/// Why a peer's records cannot be read: the alert (RFC 8446 §6.2) a receiver sends before it closes.
public enum TLS13RecordError: Error, Equatable, Sendable {
    /// A record that does not authenticate under the current read key.
    case badRecordMAC
    /// A record longer than the protocol allows.
    case recordOverflow
    /// Content that has no place after the handshake: a plaintext record, an empty one, a
    /// handshake message other than KeyUpdate.
    case unexpectedMessage
    /// A KeyUpdate whose body is not one byte of 0 or 1.
    case decodeError
    /// The peer sent a fatal alert (its description code).
    case peerAlert(UInt8)

    /// The alert description to send for this error; nil when the peer's own alert ended it.
    public var alertDescription: UInt8? {
        switch self {
        case .badRecordMAC: 20
        case .recordOverflow: 22
        case .unexpectedMessage: 10
        case .decodeError: 50
        case .peerAlert: nil
        }
    }
}
