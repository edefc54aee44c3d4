import GRIP
import XCTest
@testable import Proxy

/// Fan-out, replay and history through the hub's subscriber protocol: no sockets.
final class ChannelHubTests: XCTestCase {
    private final class Subscriber: ChannelSubscriber {
        let journal: Journal
        let name: String
        var accepts = true
        var onComplete: () -> Void = {}
        init(_ name: String, journal: Journal) {
            self.name = name
            self.journal = journal
        }
        func writeMessage(_ message: PreparedMessage) -> Bool {
            guard accepts else { return false }
            journal.events.append("write \(name) \(message.id)")
            return true
        }
        func completeDelivery(_ message: PreparedMessage) {
            journal.events.append("complete \(name) \(message.id)")
            onComplete()
        }
    }

    private final class Journal { var events: [String] = [] }

    private func item(_ channel: String, id: String? = nil) -> PublishItem {
        PublishRequest.shorthand(channel: channel, body: Array("x".utf8)).withID(id)
    }

    func testEverySocketIsWrittenBeforeAnyBookkeeping() {
        let journal = Journal()
        let hub = ChannelHub<Subscriber>(historyLength: 0, historyTTL: .seconds(60))
        let subscribers = ["a", "b", "c"].map { Subscriber($0, journal: journal) }
        for subscriber in subscribers { hub.subscribe(subscriber, to: ["news"]) }
        // A long-poll leaves on completion: the others must still get the message.
        subscribers[0].onComplete = { hub.unsubscribe(subscribers[0], from: ["news"]) }
        XCTAssertEqual(hub.publish([item("news", id: "1")], publishID: 9, now: 0), 3)
        XCTAssertEqual(journal.events.prefix(3).allSatisfy { $0.hasPrefix("write") }, true, "\(journal.events)")
        XCTAssertEqual(journal.events.count, 6)
        XCTAssertEqual(hub.subscriberCount, 2)
    }

    func testSubscribersWithoutAMatchingFormatAreNotCounted() {
        let journal = Journal()
        let hub = ChannelHub<Subscriber>(historyLength: 0, historyTTL: .seconds(60))
        let reader = Subscriber("r", journal: journal)
        let other = Subscriber("o", journal: journal)
        other.accepts = false
        hub.subscribe(reader, to: ["c"])
        hub.subscribe(other, to: ["c"])
        XCTAssertEqual(hub.publish([item("c")], publishID: 1, now: 0), 1)
        XCTAssertEqual(journal.events, ["write r 1", "complete r 1"])
    }

    /// A batch counts each subscriber reached once, however many of its items it got.
    func testBatchCountsDistinctSubscribers() {
        let journal = Journal()
        let hub = ChannelHub<Subscriber>(historyLength: 0, historyTTL: .seconds(60))
        let both = Subscriber("both", journal: journal)
        hub.subscribe(both, to: ["a", "b"])
        XCTAssertEqual(hub.subscriberCount, 2)
        XCTAssertEqual(hub.publish([item("a"), item("b")], publishID: 5, now: 0), 1)
        XCTAssertEqual(journal.events, ["write both 5.0", "complete both 5.0", "write both 5.1", "complete both 5.1"])
        hub.unsubscribe(both, from: ["a", "b"])
        XCTAssertEqual(hub.subscriberCount, 0)
        XCTAssertEqual(hub.publish([item("a")], publishID: 6, now: 0), 0)
    }

    func testReplayAfterAnIDWithinLengthAndTTL() {
        let hub = ChannelHub<Subscriber>(historyLength: 3, historyTTL: .milliseconds(500))
        for id in 1...4 { _ = hub.publish([item("h", id: "\(id)")], publishID: UInt64(id), now: Int64(id) * 100) }
        XCTAssertNil(hub.history(of: "h", after: "1", now: 400), "the oldest fell out of a history of 3")
        XCTAssertEqual(hub.history(of: "h", after: "2", now: 400)?.map(\.id), ["3", "4"])
        XCTAssertEqual(hub.history(of: "h", after: "4", now: 400)?.map(\.id), [])
        // A sub-second TTL is kept as given: id 3 (published at 300) is gone at 801.
        XCTAssertEqual(hub.history(of: "h", after: "3", now: 799)?.map(\.id), ["4"])
        XCTAssertNil(hub.history(of: "h", after: "3", now: 801))
        XCTAssertNil(hub.history(of: "unknown", after: "1", now: 0))
    }

    /// With `[cluster]` the master subscribes in Redis to exactly the channels this tells it about.
    func testActivityIsReportedAtTheFirstSubscriberOrReservationAndAfterTheLast() {
        let journal = Journal()
        let hub = ChannelHub<Subscriber>(historyLength: 10, historyTTL: .seconds(60))
        var activity: [String] = []
        hub.onChannelActivity = { activity.append("\($0) \($1 ? "active" : "idle")") }
        let (a, b) = (Subscriber("a", journal: journal), Subscriber("b", journal: journal))
        hub.subscribe(a, to: ["news"])
        hub.subscribe(b, to: ["news"])
        let mark = hub.reserve("news")
        hub.unsubscribe(a, from: ["news"])
        hub.unsubscribe(b, from: ["news"])
        XCTAssertEqual(activity, ["news active"], "the reservation keeps the channel active")
        _ = hub.publish([item("news", id: "5")], publishID: 1, now: 0)
        XCTAssertEqual(hub.history(of: "news", recordedSince: mark, now: 0).map(\.id), ["5"])
        hub.release("news")
        XCTAssertEqual(activity, ["news active", "news idle"])
        _ = hub.reserve("other")
        XCTAssertEqual(activity.last, "other active")
    }

    func testSweepForgetsChannelsWithNothingLeft() {
        let hub = ChannelHub<Subscriber>(historyLength: 10, historyTTL: .seconds(1))
        _ = hub.publish([item("old", id: "1")], publishID: 1, now: 0)
        XCTAssertEqual(hub.channelSketch.estimate, 1)
        hub.sweep(now: 2000)
        XCTAssertEqual(hub.channelSketch.estimate, 0)
    }
}

private extension PublishItem {
    func withID(_ id: String?) -> PublishItem {
        var item = self
        item.id = id
        return item
    }
}
