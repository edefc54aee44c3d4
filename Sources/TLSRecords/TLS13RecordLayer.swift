import FoundationEssentials

/// The server's side of a TLS 1.3 connection once its handshake is done (RFC 8446 §5): application
/// data sealed into records and opened from them, alerts, and KeyUpdate, from the two application
/// traffic secrets the handshake derived. No I/O: the caller moves the bytes.
///
/// Holding this instead of OpenSSL's `SSL` is what makes an idle TLS connection cheap: two traffic
/// secrets with their keys and sequence numbers, and the bytes of a record still arriving.
public struct TLS13RecordLayer {
    private var read: TrafficKeys
    private var write: TrafficKeys
    /// The start of a record whose end has not arrived yet; empty (no memory) between records.
    private var unfinished: [UInt8] = []
    /// Past this many records under one key the writer moves to the next one (§5.5: AES-GCM's
    /// margin is 2^24.5 full records).
    static let recordsPerWriteKey: UInt64 = 1 << 24

    public static let maxPlaintext = 1 << 14
    /// The largest ciphertext a record may carry (§5.2).
    static let maxCiphertext = maxPlaintext + 256

    private enum ContentType: UInt8 {
        case alert = 21, handshake = 22, applicationData = 23
    }

    /// `readSequence`/`writeSequence`: how many records each side has already protected with its
    /// application traffic secret (the server's session tickets, for one).
    public init(suite: TLS13CipherSuite, clientSecret: [UInt8], serverSecret: [UInt8],
                readSequence: UInt64, writeSequence: UInt64) {
        read = TrafficKeys(suite: suite, secret: clientSecret, sequence: readSequence)
        write = TrafficKeys(suite: suite, secret: serverSecret, sequence: writeSequence)
    }

    /// Bytes the caller has to keep for a record still arriving.
    public var unfinishedCount: Int { unfinished.count }

    // MARK: Writing

    /// `plaintext` as application_data records of at most 16 KiB each, ready to send.
    public mutating func seal(_ plaintext: UnsafeRawBufferPointer) -> [UInt8] {
        var records: [UInt8] = []
        let recordCount = max(1, (plaintext.count + Self.maxPlaintext - 1) / Self.maxPlaintext)
        records.reserveCapacity(plaintext.count + recordCount * (5 + 1 + TrafficKeys.tagLength))
        var offset = 0
        repeat {
            let end = min(plaintext.count, offset + Self.maxPlaintext)
            sealRecord(Array(plaintext[offset..<end]), type: .applicationData, appendingTo: &records)
            offset = end
        } while offset < plaintext.count
        return records
    }

    /// An alert record: close_notify (0) is a warning, anything else fatal (§6).
    public mutating func sealAlert(_ description: UInt8) -> [UInt8] {
        var record: [UInt8] = []
        sealRecord([description == 0 ? 1 : 2, description], type: .alert, appendingTo: &record)
        return record
    }

    private mutating func sealRecord(_ content: [UInt8], type: ContentType, appendingTo records: inout [UInt8]) {
        if write.sequence >= Self.recordsPerWriteKey && type == .applicationData {
            sealKeyUpdate(requestingPeerUpdate: false, appendingTo: &records)
        }
        write.seal(content + [type.rawValue], appendingTo: &records)
    }

    /// A KeyUpdate under the current key, after which this side writes with the next one (§4.6.3).
    mutating func sealKeyUpdate(requestingPeerUpdate: Bool, appendingTo records: inout [UInt8]) {
        write.seal([24, 0, 0, 1, requestingPeerUpdate ? 1 : 0, ContentType.handshake.rawValue], appendingTo: &records)
        write = write.updated()
    }

    // MARK: Reading

    public struct Opened: Equatable {
        /// Plaintext bytes written to the output.
        public var count = 0
        /// The peer sent close_notify: the end of its stream.
        public var closed = false
        /// Records to send before anything else (the answer to a KeyUpdate that asked for one).
        public var reply: [UInt8] = []
    }

    /// Opens every whole record in `input` (what the socket just read), the application data into
    /// `output`, and keeps the start of an unfinished one for the next call. `output` must have room
    /// for `unfinishedCount + input.count` bytes. Nothing after a close_notify is read.
    public mutating func open(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer)
        throws(TLS13RecordError) -> Opened {
        guard !unfinished.isEmpty else { return try openRecords(input, into: output) }
        unfinished.append(contentsOf: input)
        let joined = unfinished
        unfinished = []
        let result = joined.withUnsafeBytes { bytes in
            Result { () throws(TLS13RecordError) in try openRecords(bytes, into: output) }
        }
        return try result.get()
    }

    private mutating func openRecords(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer)
        throws(TLS13RecordError) -> Opened {
        var opened = Opened()
        var offset = 0
        while input.count - offset >= 5 {
            guard input[offset] == ContentType.applicationData.rawValue else { throw .unexpectedMessage }
            let length = Int(input[offset + 3]) << 8 | Int(input[offset + 4])
            guard length <= Self.maxCiphertext else { throw .recordOverflow }
            guard input.count - offset - 5 >= length else { break }
            let header = UnsafeRawBufferPointer(rebasing: input[offset..<(offset + 5)])
            let body = UnsafeRawBufferPointer(rebasing: input[(offset + 5)..<(offset + 5 + length)])
            offset += 5 + length
            let inner = try read.open(header: header, body: body)
            try take(inner, into: output, opened: &opened)
            if opened.closed { return opened }
        }
        if offset < input.count { unfinished = Array(input[offset...]) }
        return opened
    }

    /// One record's inner plaintext: content, then its type, then zero padding (§5.4).
    private mutating func take(_ inner: Data, into output: UnsafeMutableRawBufferPointer, opened: inout Opened)
        throws(TLS13RecordError) {
        guard let typeIndex = inner.lastIndex(where: { $0 != 0 }) else { throw .unexpectedMessage }
        let content = inner[inner.startIndex..<typeIndex]
        guard content.count <= Self.maxPlaintext else { throw .recordOverflow }
        switch ContentType(rawValue: inner[typeIndex]) {
        case .applicationData:
            let destination = UnsafeMutableRawBufferPointer(rebasing: output[opened.count...])
            opened.count += content.copyBytes(to: destination)
        case .alert:
            guard content.count == 2 else { throw .decodeError }
            let description = content[content.startIndex + 1]
            switch description {
            case 0: opened.closed = true
            case 90: break  // user_canceled: a close_notify follows
            default: throw .peerAlert(description)
            }
        case .handshake:
            try takeHandshake(Array(content), opened: &opened)
        case nil:
            throw .unexpectedMessage
        }
    }

    /// After the handshake a client may send only KeyUpdate (§4.6.3); no client certificate is asked
    /// for and a server receives no tickets. Each message must be whole in its record: no TLS stack
    /// splits a 5-byte KeyUpdate.
    private mutating func takeHandshake(_ messages: [UInt8], opened: inout Opened) throws(TLS13RecordError) {
        var offset = 0
        while offset < messages.count {
            guard messages.count - offset >= 4, messages[offset] == 24 else { throw .unexpectedMessage }
            let length = Int(messages[offset + 1]) << 16 | Int(messages[offset + 2]) << 8 | Int(messages[offset + 3])
            guard length == 1, messages.count - offset >= 5, messages[offset + 4] <= 1 else { throw .decodeError }
            read = read.updated()
            // Asked to update too: answer once with a KeyUpdate of our own, which asks for nothing.
            if messages[offset + 4] == 1 && opened.reply.isEmpty {
                sealKeyUpdate(requestingPeerUpdate: false, appendingTo: &opened.reply)
            }
            offset += 5
        }
    }
}
