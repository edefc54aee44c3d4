@testable import TLSRecords
import XCTest

/// The record layer against RFC 8448 §3 (a server at TLS_AES_128_GCM_SHA256 after its handshake),
/// and against itself for what the traces do not show.
final class TLS13RecordLayerTests: XCTestCase {
    private let serverSecret = hex("a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643")
    private let clientSecret = hex("9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5")
    private let payload = Array(UInt8(0)..<50)
    /// The client's application_data record (its first under the application keys) and its close_notify.
    private let clientData = hex("1703030043a23f7054b62c94d0affafe8228ba55cbefacea42f914aa66bcab3f2b9819a8a5b46b395bd54a9a20441e2b62974e1f5a6292a2977014bd1e3deae63aeebb21694915e4")
    private let clientAlert = hex("1703030013c9872760655666b74d7ff1153efd6db6d0b0e3")
    /// The server's, after its NewSessionTicket (record 0).
    private let serverData = hex("17030300432e937e11ef4ac740e538ad36005fc4a46932fc3225d05f82aa1b36e30efaf97d90e6dffc602dcb501a59a8fcc49c4bf2e5f0a21c0047c2abf332540dd032e167c2955d")
    private let serverAlert = hex("1703030013b58fd67166ebf599d24720cfbe7efa7a8864a9")

    private func server(readSequence: UInt64 = 0, writeSequence: UInt64 = 1,
                        suite: TLS13CipherSuite = .aes128GCMSHA256) -> TLS13RecordLayer {
        let (client, server) = suite == .aes128GCMSHA256 ? (clientSecret, serverSecret) : secrets(suite)
        return TLS13RecordLayer(suite: suite, clientSecret: client, serverSecret: server,
                                readSequence: readSequence, writeSequence: writeSequence)
    }

    /// The client's end of the same connection: it reads with the server's secret.
    private func client(readSequence: UInt64 = 1, writeSequence: UInt64 = 0,
                        suite: TLS13CipherSuite = .aes128GCMSHA256) -> TLS13RecordLayer {
        let (client, server) = suite == .aes128GCMSHA256 ? (clientSecret, serverSecret) : secrets(suite)
        return TLS13RecordLayer(suite: suite, clientSecret: server, serverSecret: client,
                                readSequence: readSequence, writeSequence: writeSequence)
    }

    private func secrets(_ suite: TLS13CipherSuite) -> ([UInt8], [UInt8]) {
        (Array(repeating: 0x11, count: suite.secretLength), Array(repeating: 0x22, count: suite.secretLength))
    }

    func testKeysAndIVsAreTheTraces() {
        let server = TrafficKeys(suite: .aes128GCMSHA256, secret: serverSecret)
        XCTAssertEqual(Array(server.key), hex("9f02283b6c9c07efc26bb9f2ac92e356"))
        XCTAssertEqual(Array(server.iv), hex("cf782b88dd83549aadf1e984"))
        let client = TrafficKeys(suite: .aes128GCMSHA256, secret: clientSecret)
        XCTAssertEqual(Array(client.key), hex("17422dda596ed5d9acd890e3c63f5051"))
        XCTAssertEqual(Array(client.iv), hex("5b78923dee08579033e523d9"))
    }

    func testSealsTheServersRecordsOfTheTraces() {
        var layer = server(writeSequence: 1)
        XCTAssertEqual(payload.withUnsafeBytes { layer.seal($0) }, serverData)
        XCTAssertEqual(layer.sealAlert(0), serverAlert)
    }

    func testOpensTheClientsRecordsAtEverySplit() throws {
        let stream = clientData + clientAlert
        for split in 0...stream.count {
            var layer = server()
            let first = try open(Array(stream[..<split]), with: &layer)
            let second = try open(Array(stream[split...]), with: &layer)
            XCTAssertEqual(first.data + second.data, payload, "split at \(split)")
            XCTAssertFalse(first.opened.closed && split < stream.count, "split at \(split)")
            XCTAssertTrue(second.opened.closed || first.opened.closed, "split at \(split)")
        }
    }

    func testATamperedRecordDoesNotOpen() {
        for index in [5, 40, clientData.count - 1] {
            var tampered = clientData
            tampered[index] ^= 0x01
            var layer = server()
            XCTAssertThrowsError(try open(tampered, with: &layer), "byte \(index)") {
                XCTAssertEqual($0 as? TLS13RecordError, .badRecordMAC)
            }
        }
    }

    func testARecordAtTheWrongSequenceDoesNotOpen() {
        var layer = server(readSequence: 1)
        XCTAssertThrowsError(try open(clientData, with: &layer)) { XCTAssertEqual($0 as? TLS13RecordError, .badRecordMAC) }
    }

    func testRefusesPlaintextAndOversizedRecords() {
        var layer = server()
        XCTAssertThrowsError(try open([22, 3, 3, 0, 1, 0], with: &layer)) {
            XCTAssertEqual($0 as? TLS13RecordError, .unexpectedMessage)
        }
        var other = server()
        let tooLong = TLS13RecordLayer.maxCiphertext + 1
        XCTAssertThrowsError(try open([23, 3, 3, UInt8(tooLong >> 8), UInt8(tooLong & 0xFF)], with: &other)) {
            XCTAssertEqual($0 as? TLS13RecordError, .recordOverflow)
        }
    }

    func testAFatalAlertEndsTheConnection() {
        var peer = client()
        let record = peer.sealAlert(40)
        var layer = server()
        XCTAssertThrowsError(try open(record, with: &layer)) { XCTAssertEqual($0 as? TLS13RecordError, .peerAlert(40)) }
    }

    func testLongWritesAreSplitIntoFullRecordsForEverySuite() throws {
        for suite in [TLS13CipherSuite.aes128GCMSHA256, .aes256GCMSHA384, .chacha20Poly1305SHA256] {
            var layer = server(suite: suite)
            var peer = client(suite: suite)
            let message = (0..<40_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
            let sealed = message.withUnsafeBytes { layer.seal($0) }
            XCTAssertEqual(sealed.count, message.count + 3 * (5 + 1 + 16), "\(suite): three records")
            XCTAssertEqual(try open(sealed, with: &peer).data, message, "\(suite)")
        }
    }

    func testAKeyUpdateAskingForOneIsAnsweredAndBothSidesMoveOn() throws {
        var layer = server()
        var peer = client()
        var update: [UInt8] = []
        peer.sealKeyUpdate(requestingPeerUpdate: true, appendingTo: &update)
        let afterUpdate = payload.withUnsafeBytes { peer.seal($0) }
        let opened = try open(update + afterUpdate, with: &layer)
        XCTAssertEqual(opened.data, payload, "the record after the KeyUpdate opens with the next key")
        XCTAssertFalse(opened.opened.reply.isEmpty, "a KeyUpdate that asks for one is answered")

        let answer = try open(opened.opened.reply + payload.withUnsafeBytes { layer.seal($0) }, with: &peer)
        XCTAssertEqual(answer.data, payload, "the server writes with its next key after its answer")
        XCTAssertTrue(answer.opened.reply.isEmpty, "our answer asks for nothing")
    }

    func testTheWriterMovesToTheNextKeyBeforeAESGCMsLimit() throws {
        let limit = TLS13RecordLayer.recordsPerWriteKey
        var layer = server(writeSequence: limit)
        var peer = client(readSequence: limit)
        let sealed = payload.withUnsafeBytes { layer.seal($0) }
        XCTAssertEqual(sealed.count, (5 + 5 + 1 + 16) + (5 + payload.count + 1 + 16), "a KeyUpdate, then the data")
        XCTAssertEqual(try open(sealed, with: &peer).data, payload)
    }

    private func open(_ bytes: [UInt8], with layer: inout TLS13RecordLayer) throws -> (data: [UInt8], opened: TLS13RecordLayer.Opened) {
        let output = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count + layer.unfinishedCount + 1, alignment: 1)
        defer { output.deallocate() }
        let opened = try bytes.withUnsafeBytes { try layer.open($0, into: output) }
        return (Array(output[..<opened.count]), opened)
    }
}

private func hex(_ text: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex {
        let next = text.index(index, offsetBy: 2)
        bytes.append(UInt8(text[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}
