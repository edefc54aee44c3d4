import EventLoop
import GRIP
import XCTest
@testable import Proxy

/// The payload format of docs/cluster.md and the bookkeeping of which channels an instance listens to.
final class ClusterMessageTests: XCTestCase {
    private let item = PublishRequest.shorthand(channel: "news", body: Array("hello\n".utf8))

    /// What the publish script writes: the prefix, then the sequence and Redis's time, then the body.
    private func scriptPayload(origin: String, sequence: Int, milliseconds: Int, item: PublishItem) -> [UInt8] {
        ClusterMessage.headerPrefix(origin: origin) + Array("\(sequence) \(milliseconds)\n".utf8) + ClusterMessage.body(of: item)
    }

    func testHoldfastPayloadsCarryOriginSequenceAndTheItem() throws {
        let message = try ClusterMessage(decoding: scriptPayload(origin: "a1b2", sequence: 17, milliseconds: 1_700_000_000_123, item: item),
                                         channel: "news")
        XCTAssertEqual(message.origin, "a1b2")
        XCTAssertEqual(message.sequence, 17)
        XCTAssertEqual(message.publishedAtMilliseconds, 1_700_000_000_123)
        var numbered = item
        numbered.id = "17"
        XCTAssertEqual(message.items, [numbered], "the sequence number is the id where the publisher gave none")

        var withID = item
        withID.id = "mine"
        XCTAssertEqual(try ClusterMessage(decoding: scriptPayload(origin: "a", sequence: 3, milliseconds: 0, item: withID), channel: "news").items,
                       [withID])
    }

    func testOtherProducersPublishTheJSONOfAPublishBody() throws {
        let payload = #"{"items": [{"channel": "news", "formats": {"http-stream": {"content": "hi"}}}, {"channel": "elsewhere", "formats": {"http-stream": {"content": "no"}}}]}"#
        let message = try ClusterMessage(decoding: Array(payload.utf8), channel: "news")
        XCTAssertNil(message.origin)
        XCTAssertNil(message.sequence)
        XCTAssertEqual(message.items, [PublishItem(channel: "news", httpStream: .content(Array("hi".utf8)))],
                       "items of another channel than the Redis channel's are dropped")
    }

    func testBrokenPayloadsAreRefused() {
        let good = scriptPayload(origin: "a", sequence: 1, milliseconds: 2, item: item)
        let broken: [[UInt8]] = [
            Array("not json".utf8),
            Array("HF1 a 1 2".utf8),
            Array("HF1 a x 2\n".utf8) + ClusterMessage.body(of: item),
            Array(good.dropLast()),
            scriptPayload(origin: "a", sequence: 1, milliseconds: 2, item: PublishRequest.shorthand(channel: "other", body: [])),
        ]
        for payload in broken {
            XCTAssertThrowsError(try ClusterMessage(decoding: payload, channel: "news"), String(decoding: payload.prefix(20), as: UTF8.self))
        }
    }

    func testThePublishCommandNamesTwoKeysAndTwoValuesPerItem() {
        let keys = ClusterKeys(prefix: "hf:")
        let command = PublishScript.command(items: [item, PublishRequest.shorthand(channel: "b", body: [])], keys: keys, origin: "o",
                                            historyLength: 100, historyTTLMilliseconds: 300_000)
        let text = command.map { String(decoding: $0, as: UTF8.self) }
        XCTAssertEqual(Array(text[0...0] + text[2...]), [
            "EVAL", "4", "hf:seq:news", "hf:history:news", "hf:seq:b", "hf:history:b", "HF1 o ", "100", "300000",
            "hf:news", String(decoding: ClusterMessage.body(of: item), as: UTF8.self),
            "hf:b", String(decoding: ClusterMessage.body(of: PublishRequest.shorthand(channel: "b", body: [])), as: UTF8.self),
        ])
        XCTAssertEqual(keys.channel(fromPubSub: Array("hf:news".utf8)), "news")
        XCTAssertNil(keys.channel(fromPubSub: Array("other:news".utf8)))
    }

    func testHistoryLeavesOutWhatIsOlderThanTheTTLByRedissClock() throws {
        let entries: [RedisReply] = [
            .bulk(scriptPayload(origin: "a", sequence: 1, milliseconds: 1_000, item: item)),
            .bulk(Array("garbage".utf8)),
            .bulk(scriptPayload(origin: "a", sequence: 2, milliseconds: 5_000, item: item)),
            .bulk(scriptPayload(origin: "b", sequence: 3, milliseconds: 9_000, item: item)),
        ]
        let messages = try XCTUnwrap(HistoryScript.messages(in: .array([.integer(10_000), .array(entries)]), channel: "news",
                                                            ttlMilliseconds: 5_000))
        XCTAssertEqual(messages.map(\.sequence), [2, 3])
        XCTAssertNil(HistoryScript.messages(in: .error("NOSCRIPT"), channel: "news", ttlMilliseconds: 5_000))
    }

    func testACatchUpNoticesARedisThatLostTheSequence() throws {
        func message(_ sequence: Int) throws -> ClusterMessage {
            try ClusterMessage(decoding: scriptPayload(origin: "o", sequence: sequence, milliseconds: 0, item: item), channel: "news")
        }
        XCTAssertFalse(ClusterLink.sequenceWentBack(from: 7, history: [try message(6), try message(7)], held: [try message(7), try message(8)]),
                       "overlap between history and held messages is normal")
        XCTAssertFalse(ClusterLink.sequenceWentBack(from: 7, history: [], held: [try message(8)]))
        XCTAssertTrue(ClusterLink.sequenceWentBack(from: 7, history: [try message(1), try message(2)], held: []))
        XCTAssertTrue(ClusterLink.sequenceWentBack(from: 7, history: [], held: [try message(1)]))
    }

    func testAChannelIsActiveWhileAnyWorkerHasSubscribers() {
        var channels = ClusterChannels()
        XCTAssertTrue(channels.add("news", worker: 10))
        XCTAssertFalse(channels.add("news", worker: 11))
        XCTAssertFalse(channels.add("news", worker: 11), "a repeated report changes nothing")
        XCTAssertTrue(channels.add("sport", worker: 11))
        XCTAssertFalse(channels.remove("news", worker: 10))
        XCTAssertFalse(channels.remove("news", worker: 10))
        XCTAssertTrue(channels.isActive("news"))
        XCTAssertEqual(channels.removeWorker(11).sorted(), ["news", "sport"], "a worker that exits takes its channels")
        XCTAssertFalse(channels.isActive("news"))
        XCTAssertTrue(channels.active.isEmpty)
    }
}
