import Crypto
import _CryptoExtras

/// A configured key, parsed once, bound to the algorithms it may verify: an HMAC secret never
/// checks an RS256 or ES256 token and a public key never an HS* one, which rules out algorithm
/// confusion (a public key's bytes used as an HMAC secret).
enum VerificationKey: Sendable {
    case secret([UInt8])
    case rsa(_RSA.Signing.PublicKey)
    /// Raw bytes rather than the key, which is not Sendable; rebuilt for each check.
    case p256(rawRepresentation: [UInt8])

    struct Unusable: Error {
        let reason: String
    }

    init(_ material: JWTPolicy.KeyMaterial, algorithms: [JWTAlgorithm]) throws(Unusable) {
        switch material {
        case .secret(let text):
            guard let other = algorithms.first(where: { !$0.usesSharedSecret }) else {
                self = .secret(Array(text.utf8))
                return
            }
            throw Unusable(reason: "\(other.rawValue) needs a public key in key_file, not a key")
        case .publicKeyPEM(let pem):
            if let other = algorithms.first(where: \.usesSharedSecret) {
                throw Unusable(reason: "\(other.rawValue) needs a shared secret in key, not a key_file")
            }
            if algorithms.contains(.rs256) && algorithms.contains(.es256) {
                throw Unusable(reason: "one key_file cannot verify both RS256 and ES256")
            }
            if algorithms.contains(.es256) {
                guard let key = try? P256.Signing.PublicKey(pemRepresentation: pem) else {
                    throw Unusable(reason: "ES256 needs a P-256 public key in PEM (\"BEGIN PUBLIC KEY\")")
                }
                self = .p256(rawRepresentation: Array(key.rawRepresentation))
            } else {
                // The initializer refuses RSA keys under 2048 bits.
                guard let key = try? _RSA.Signing.PublicKey(pemRepresentation: pem) else {
                    throw Unusable(reason: "RS256 needs an RSA public key of at least 2048 bits in PEM (\"BEGIN PUBLIC KEY\")")
                }
                self = .rsa(key)
            }
        }
    }

    /// Whether `signature` signs `input` under `algorithm`. HMAC codes are compared in constant
    /// time (swift-crypto's `isValidAuthenticationCode`); public-key checks involve no secret.
    func verifies(_ signature: [UInt8], of input: [UInt8], algorithm: JWTAlgorithm) -> Bool {
        switch (self, algorithm) {
        case let (.secret(bytes), .hs256):
            HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: input, using: SymmetricKey(data: bytes))
        case let (.secret(bytes), .hs384):
            HMAC<SHA384>.isValidAuthenticationCode(signature, authenticating: input, using: SymmetricKey(data: bytes))
        case let (.secret(bytes), .hs512):
            HMAC<SHA512>.isValidAuthenticationCode(signature, authenticating: input, using: SymmetricKey(data: bytes))
        case let (.rsa(key), .rs256):
            key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: SHA256.hash(data: input),
                                 padding: .insecurePKCS1v1_5)
        case let (.p256(keyBytes), .es256):
            // JWS carries ECDSA signatures as raw r || s (RFC 7518 §3.4), not DER.
            if let key = try? P256.Signing.PublicKey(rawRepresentation: keyBytes),
               let ecdsa = try? P256.Signing.ECDSASignature(rawRepresentation: signature) {
                key.isValidSignature(ecdsa, for: SHA256.hash(data: input))
            } else {
                false
            }
        default:
            false
        }
    }
}
