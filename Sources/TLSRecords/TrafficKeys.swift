import Crypto
import FoundationEssentials

/// One direction's record protection (RFC 8446 §5.2, §5.3, §7.3): the traffic secret, the key and
/// IV derived from it, and the sequence number of the next record. All of it in one array, so a
/// direction costs one small block.
struct TrafficKeys {
    let suite: TLS13CipherSuite
    /// secret ‖ key ‖ iv.
    private var material: [UInt8]
    private(set) var sequence: UInt64

    static let ivLength = 12
    static let tagLength = 16

    init(suite: TLS13CipherSuite, secret: [UInt8], sequence: UInt64 = 0) {
        precondition(secret.count == suite.secretLength, "a traffic secret is as long as the suite's hash")
        self.suite = suite
        self.sequence = sequence
        material = secret + Self.expandLabel(suite, secret: secret, label: "key", length: suite.keyLength)
            + Self.expandLabel(suite, secret: secret, label: "iv", length: Self.ivLength)
    }

    var secret: ArraySlice<UInt8> { material[..<suite.secretLength] }
    var key: ArraySlice<UInt8> { material[suite.secretLength..<(suite.secretLength + suite.keyLength)] }
    var iv: ArraySlice<UInt8> { material[(suite.secretLength + suite.keyLength)...] }

    /// The next generation after a KeyUpdate: `application_traffic_secret_N+1`, sequence back to 0.
    func updated() -> TrafficKeys {
        TrafficKeys(suite: suite, secret: Self.expandLabel(suite, secret: Array(secret), label: "traffic upd",
                                                           length: suite.secretLength))
    }

    /// Encrypts one record's inner plaintext (content ‖ type) and appends the whole record, header
    /// included, to `record`.
    mutating func seal(_ innerPlaintext: [UInt8], appendingTo record: inout [UInt8]) {
        let header = Self.header(length: innerPlaintext.count + Self.tagLength)
        let nonce = nextNonce()
        let symmetricKey = SymmetricKey(data: key)
        record.append(contentsOf: header)
        do {
            switch suite {
            case .aes128GCMSHA256, .aes256GCMSHA384:
                let box = try AES.GCM.seal(innerPlaintext, using: symmetricKey, nonce: AES.GCM.Nonce(data: nonce),
                                           authenticating: header)
                record.append(contentsOf: box.ciphertext)
                record.append(contentsOf: box.tag)
            case .chacha20Poly1305SHA256:
                let box = try ChaChaPoly.seal(innerPlaintext, using: symmetricKey, nonce: ChaChaPoly.Nonce(data: nonce),
                                              authenticating: header)
                record.append(contentsOf: box.ciphertext)
                record.append(contentsOf: box.tag)
            }
        } catch {
            // Only a malformed key or nonce fails, and both are made here with the right lengths.
            preconditionFailure("sealing a TLS record failed: \(error)")
        }
    }

    /// Decrypts one record: `header` its 5 bytes, `body` ciphertext ‖ tag. Returns the inner plaintext.
    mutating func open(header: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer) throws(TLS13RecordError) -> Data {
        guard body.count >= Self.tagLength else { throw .badRecordMAC }
        let nonce = nextNonce()
        let symmetricKey = SymmetricKey(data: key)
        let ciphertext = UnsafeRawBufferPointer(rebasing: body[..<(body.count - Self.tagLength)])
        let tag = UnsafeRawBufferPointer(rebasing: body[(body.count - Self.tagLength)...])
        do {
            switch suite {
            case .aes128GCMSHA256, .aes256GCMSHA384:
                let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: nonce), ciphertext: ciphertext, tag: tag)
                return try AES.GCM.open(box, using: symmetricKey, authenticating: header)
            case .chacha20Poly1305SHA256:
                let box = try ChaChaPoly.SealedBox(nonce: ChaChaPoly.Nonce(data: nonce), ciphertext: ciphertext, tag: tag)
                return try ChaChaPoly.open(box, using: symmetricKey, authenticating: header)
            }
        } catch {
            throw .badRecordMAC
        }
    }

    /// The per-record nonce (§5.3): the IV with the sequence number XORed into its last 8 bytes.
    private mutating func nextNonce() -> [UInt8] {
        var nonce = Array(iv)
        for index in 0..<8 {
            nonce[Self.ivLength - 1 - index] ^= UInt8(truncatingIfNeeded: sequence >> (8 * UInt64(index)))
        }
        sequence += 1
        return nonce
    }

    /// An application_data record header (§5.2): the only outer type after the handshake.
    static func header(length: Int) -> [UInt8] {
        [23, 0x03, 0x03, UInt8(length >> 8), UInt8(length & 0xFF)]
    }

    /// HKDF-Expand-Label with an empty context (§7.1).
    static func expandLabel(_ suite: TLS13CipherSuite, secret: [UInt8], label: String, length: Int) -> [UInt8] {
        let fullLabel = Array("tls13 \(label)".utf8)
        let info = [UInt8(length >> 8), UInt8(length & 0xFF), UInt8(fullLabel.count)] + fullLabel + [0]
        return suite == .aes256GCMSHA384
            ? expand(SHA384.self, secret: secret, info: info, length: length)
            : expand(SHA256.self, secret: secret, info: info, length: length)
    }

    /// HKDF-Expand (RFC 5869 §2.3).
    private static func expand<Hash: HashFunction>(_: Hash.Type, secret: [UInt8], info: [UInt8], length: Int) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(length + Hash.Digest.byteCount)
        var block: [UInt8] = []
        var counter: UInt8 = 1
        while output.count < length {
            block = authenticationCode(Hash.self, key: secret, message: block + info + [counter])
            output += block
            counter += 1
        }
        output.removeLast(output.count - length)
        return output
    }

    /// HMAC (RFC 2104) straight over the hash. swift-crypto's `HKDF` and `HMAC` pass keys and output
    /// through `SecureBytes` a byte at a time: with them, deriving the two keys and IVs took a tenth
    /// of a full handshake's CPU in the worker, with this a thirty-fifth (perf, 2026-12-06).
    private static func authenticationCode<Hash: HashFunction>(_: Hash.Type, key: [UInt8], message: [UInt8]) -> [UInt8] {
        precondition(key.count <= Hash.blockByteCount, "traffic secrets are one hash long")
        let padding = Hash.blockByteCount - key.count
        var inner = Hash()
        (key.map { $0 ^ 0x36 } + repeatElement(0x36, count: padding)).withUnsafeBytes { inner.update(bufferPointer: $0) }
        message.withUnsafeBytes { inner.update(bufferPointer: $0) }
        var outer = Hash()
        (key.map { $0 ^ 0x5C } + repeatElement(0x5C, count: padding)).withUnsafeBytes { outer.update(bufferPointer: $0) }
        inner.finalize().withUnsafeBytes { outer.update(bufferPointer: $0) }
        return outer.finalize().withUnsafeBytes { Array($0) }
    }
}
