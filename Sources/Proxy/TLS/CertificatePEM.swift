import Wire

/// A certificate chain and its private key as PEM bytes, read and checked by the master and sent to
/// workers with their configuration, so a worker never reads (or fails to read) a file itself.
public struct CertificatePEM: Sendable, Equatable {
    public var certificate: [UInt8]
    public var privateKey: [UInt8]
    public init(certificate: [UInt8], privateKey: [UInt8]) {
        self.certificate = certificate
        self.privateKey = privateKey
    }
}

extension CertificatePEM {
    static func encode(_ list: [CertificatePEM], into writer: inout ByteWriter) {
        writer.count(list.count)
        for pem in list {
            writer.bytes(pem.certificate)
            writer.bytes(pem.privateKey)
        }
    }

    static func decodeList(from reader: inout ByteReader) throws(WireError) -> [CertificatePEM] {
        var list: [CertificatePEM] = []
        for _ in 0..<(try reader.count("certificates", minimumElementBytes: 8)) {
            list.append(CertificatePEM(certificate: try reader.bytes("certificate PEM"), privateKey: try reader.bytes("private key PEM")))
        }
        return list
    }
}
