import Foundation
import Glibc
import XCTest

/// SPEC §13 (docs/cluster.md): instances sharing one Redis act as one. Each instance has an SSE, a
/// long-poll and a stream route of its own (`/sse/`, `/poll/`, `/stream/`), and one worker unless a test says.
final class ClusterTests: ScenarioTestCase {
    private var redis: RedisServer!
    private var instances: [Holdfast] = []
    private var failed = false

    override func setUpWithError() throws {
        try super.setUpWithError()
        redis = try RedisServer()
    }

    override func recordFailure(withDescription description: String, inFile filePath: String, atLine lineNumber: Int, expected: Bool) {
        failed = true
        super.recordFailure(withDescription: description, inFile: filePath, atLine: lineNumber, expected: expected)
    }

    override func tearDown() {
        for (index, instance) in instances.enumerated() {
            if failed { print("--- instance \(index) stderr (\(name)) ---\n\(instance.stderrText.suffix(4000))") }
            instance.stop()
        }
        instances = []
        redis?.stop()
        redis = nil
        super.tearDown()
    }

    private func clusterConfig(workers: Int = 1, redisURL: String? = nil) -> ScenarioConfig {
        var config = ScenarioConfig(backendPort: backend.port)
        config.server["workers"] = .integer(workers)
        config.cluster["redis"] = .string(redisURL ?? redis.url)
        config.routes.insert(contentsOf: [["path_prefix": "/sse/", "subscribe": "sse"], ["path_prefix": "/poll/", "subscribe": "longpoll"],
                                          ["path_prefix": "/stream/", "subscribe": "stream"]], at: 0)
        return config
    }

    private func startInstances(_ count: Int = 3, workers: Int = 1, redisURL: String? = nil) throws -> [Holdfast] {
        let first = instances.count
        for _ in 0..<count { instances.append(try Holdfast(clusterConfig(workers: workers, redisURL: redisURL))) }
        let instances = Array(self.instances[first...])
        for instance in instances {
            try eventually("the instance is ready (Redis connected)") { try instance.control.readyz().status == 200 }
        }
        return instances
    }

    private func open(_ instance: Holdfast, _ target: String) throws -> HTTPClient {
        let client = try instance.client()
        try client.sendRequest("GET", target)
        if !target.hasPrefix("/poll/") {
            XCTAssertEqual(try client.readResponseHead().status, 200)
        }
        return client
    }

    private func waitUntilSubscribed(_ channel: String, instances count: Int) throws {
        try eventually("\(count) instances subscribed to holdfast:\(channel) in Redis") { try redis.subscriberCount("holdfast:\(channel)") == count }
    }

    private func readEvent(_ client: HTTPClient) throws -> String {
        try client.readStream(until: "one SSE event") { $0.hasSuffix("\n\n") }
    }

    func testAPublishToAnyInstanceReachesEveryHeldClientOnce() throws {
        let instances = try startInstances(workers: 2)
        var clients: [(poll: HTTPClient, stream: HTTPClient, sse: HTTPClient)] = []
        for instance in instances {
            clients.append((try open(instance, "/poll/news"), try open(instance, "/stream/news"), try open(instance, "/sse/news")))
            try instance.control.waitUntilHeld(3)
        }
        try waitUntilSubscribed("news", instances: 3)

        XCTAssertEqual(try instances[1].control.publishShorthand(channel: "news", body: "first"), 3, "this instance's deliveries")

        for (poll, stream, sse) in clients {
            XCTAssertEqual(try poll.readResponse().bodyText, "first")
            XCTAssertEqual(try stream.readStream(until: "the first message") { $0.count >= 5 }, "first")
            XCTAssertEqual(try readEvent(sse), "id: 1\ndata: first\n\n", "the id is Redis's sequence number, the same everywhere")
        }

        XCTAssertEqual(try instances[2].control.publishShorthand(channel: "news", body: "second"), 2)
        for (_, stream, sse) in clients {
            XCTAssertEqual(try stream.readStream(until: "the second message") { $0.count >= 6 }, "second")
            XCTAssertEqual(try readEvent(sse), "id: 2\ndata: second\n\n")
        }
        for (_, stream, sse) in clients {
            XCTAssertEqual(stream.unreadByteCount(waiting: .milliseconds(300)), 0, "nothing delivered twice")
            XCTAssertEqual(sse.unreadByteCount(waiting: .milliseconds(10)), 0, "nothing delivered twice")
        }
    }

    /// One script numbers a batch's items per channel, all or nothing.
    func testABatchOverSeveralChannelsIsNumberedPerChannel() throws {
        let instances = try startInstances(2)
        let news = try open(instances[1], "/sse/news")
        let sport = try open(instances[1], "/stream/sport")
        try waitUntilSubscribed("news", instances: 1)
        try waitUntilSubscribed("sport", instances: 1)

        let items = [httpStreamItem(channel: "news", content: "n1"), httpStreamItem(channel: "sport", content: "s1"),
                     httpStreamItem(channel: "news", content: "n2", id: "own")]
        XCTAssertEqual(try instances[0].control.publish(items: items), 0, "no subscriber on the publishing instance")

        XCTAssertEqual(try news.readStream(until: "two events") { $0.components(separatedBy: "\n\n").count > 2 },
                       "id: 1\ndata: n1\n\nid: own\ndata: n2\n\n")
        XCTAssertEqual(try sport.readStream(until: "the sport item") { $0.count >= 2 }, "s1")
        XCTAssertEqual(try redis.cli("GET", "holdfast:seq:news"), "2")
        XCTAssertEqual(try redis.cli("LLEN", "holdfast:history:news"), "2")
    }

    func testAPublishStraightIntoRedisReachesEveryInstance() throws {
        let instances = try startInstances()
        let clients = try instances.map { try open($0, "/sse/direct") }
        try waitUntilSubscribed("direct", instances: 3)

        let payload = #"{"items": [{"channel": "direct", "id": "x1", "formats": {"http-stream": {"content": "from redis-cli"}}}]}"#
        XCTAssertEqual(try redis.cli("PUBLISH", "holdfast:direct", payload), "3")

        for client in clients {
            XCTAssertEqual(try readEvent(client), "id: x1\ndata: from redis-cli\n\n")
        }
    }

    func testTheRedisSubscriptionEndsWithTheLastLocalSubscriber() throws {
        let instance = try startInstances(1, workers: 2)[0]
        var subscribers = [try open(instance, "/sse/leaving"), try open(instance, "/sse/leaving")]
        try instance.control.waitUntilHeld(2)
        try waitUntilSubscribed("leaving", instances: 1)

        subscribers.removeFirst()
        try instance.control.waitUntilHeld(1)
        XCTAssertEqual(try redis.subscriberCount("holdfast:leaving"), 1, "one subscriber is left")

        subscribers.removeAll()
        try instance.control.waitUntilHeld(0)
        try eventually("no instance subscribed in Redis") { try redis.cli("PUBSUB", "CHANNELS", "holdfast:*").isEmpty }
    }

    func testARedisOutageRefusesPublishesKeepsHeldClientsAndRecovers() throws {
        let instances = try startInstances(2)
        let streams = try instances.map { try open($0, "/stream/outage") }
        let polls = try instances.map { try open($0, "/poll/outage") }
        for instance in instances { try instance.control.waitUntilHeld(2) }
        try waitUntilSubscribed("outage", instances: 2)

        redis.kill()
        for instance in instances {
            try eventually("/readyz says Redis is unreachable") {
                let answer = try instance.control.readyz()
                return answer.status == 503 && answer.bodyText.contains("Redis")
            }
        }
        let refused = try instances[0].control.publish(channel: "outage", body: "lost")
        XCTAssertEqual(refused.status, 503, refused.bodyText)
        XCTAssertEqual(try instances[0].control.metric("holdfast_redis_up", labels: #"connection="commands""#), 0)
        for (stream, poll) in zip(streams, polls) {
            XCTAssertFalse(stream.isClosedByPeer(timeout: .milliseconds(100)), "held streams stay connected")
            XCTAssertFalse(poll.isClosedByPeer(timeout: .milliseconds(10)), "held long-polls stay connected")
        }

        try redis.start()
        for instance in instances {
            try eventually("the instance is ready again", timeout: .seconds(10)) { try instance.control.readyz().status == 200 }
        }
        try waitUntilSubscribed("outage", instances: 2)
        XCTAssertEqual(try instances[1].control.publishShorthand(channel: "outage", body: "after"), 2)
        for (stream, poll) in zip(streams, polls) {
            XCTAssertEqual(try stream.readStream(until: "the message published after recovery") { $0.count >= 5 }, "after")
            XCTAssertEqual(try poll.readResponse().bodyText, "after")
        }
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(instances[0].control.metric("holdfast_redis_reconnects_total", labels: #"connection="subscriber""#)), 1)
    }

    /// Messages published while an instance's subscriber connection was down come from the channel's
    /// history in Redis once it is back, each exactly once.
    func testMessagesMissedWhileResubscribingAreReplayedOnce() throws {
        let instances = try startInstances(2)
        let clients = try instances.map { try open($0, "/sse/gap") }
        try waitUntilSubscribed("gap", instances: 2)

        XCTAssertEqual(try redis.cli("CLIENT", "KILL", "TYPE", "pubsub"), "2")
        for index in 1...3 {
            XCTAssertEqual(try instances[0].control.publishShorthand(channel: "gap", body: "m\(index)"), 1)
        }
        try waitUntilSubscribed("gap", instances: 2)
        XCTAssertEqual(try instances[1].control.publishShorthand(channel: "gap", body: "m4"), 1)

        let expected = (1...4).map { "id: \($0)\ndata: m\($0)\n\n" }.joined()
        for client in clients {
            XCTAssertEqual(try client.readStream(until: "four events") { $0.count >= expected.count }, expected)
            XCTAssertEqual(client.unreadByteCount(waiting: .milliseconds(300)), 0, "nothing delivered twice")
        }
    }

    /// An SSE client that comes back to another instance with Last-Event-ID replays what it missed from
    /// the channel's history in Redis, then goes on live.
    func testACommandConnectionKilledInRedisIsMadeAgain() throws {
        let instance = try startInstances(1)[0]
        let client = try open(instance, "/sse/killed")
        try waitUntilSubscribed("killed", instances: 1)

        XCTAssertEqual(try redis.cli("CLIENT", "KILL", "TYPE", "normal"), "1", "the instance's command connection")
        try eventually("the command connection is back") {
            try instance.control.metric("holdfast_redis_reconnects_total", labels: #"connection="commands""#) == 1
        }
        XCTAssertEqual(try instance.control.publishShorthand(channel: "killed", body: "again"), 1)
        XCTAssertEqual(try readEvent(client), "id: 1\ndata: again\n\n")
    }

    func testSSEReplayAcrossInstances() throws {
        let instances = try startInstances(2)
        let first = try open(instances[0], "/sse/resume")
        try waitUntilSubscribed("resume", instances: 1)
        for index in 1...3 {
            XCTAssertEqual(try instances[0].control.publishShorthand(channel: "resume", body: "m\(index)"), 1)
        }
        XCTAssertEqual(try first.readStream(until: "three events") { $0.components(separatedBy: "\n\n").count > 3 },
                       "id: 1\ndata: m1\n\nid: 2\ndata: m2\n\nid: 3\ndata: m3\n\n")

        let client = try instances[1].client()
        try client.sendRequest("GET", "/sse/resume", headers: [("Last-Event-ID", "1")])
        XCTAssertEqual(try client.readResponseHead().status, 200)
        let replayed = "id: 2\ndata: m2\n\nid: 3\ndata: m3\n\n"
        XCTAssertEqual(try client.readStream(until: "events 2 and 3") { $0.count >= replayed.count }, replayed)

        try waitUntilSubscribed("resume", instances: 2)
        XCTAssertEqual(try instances[0].control.publishShorthand(channel: "resume", body: "m4"), 1)
        XCTAssertEqual(try readEvent(client), "id: 4\ndata: m4\n\n")
    }

    func testAPasswordAndADatabaseFromTheURL() throws {
        redis.stop()
        redis = try RedisServer(password: "s3cret")
        let refused = try Holdfast(clusterConfig(redisURL: "redis://:wrong@127.0.0.1:\(redis.port)/3"))
        instances.append(refused)
        try eventually("/readyz says AUTH was refused") {
            let answer = try refused.control.readyz()
            return answer.status == 503 && answer.bodyText.contains("AUTH refused")
        }
        XCTAssertEqual(try refused.control.publish(channel: "db", body: "x").status, 503)

        let instance = try startInstances(1, redisURL: "redis://:s3cret@127.0.0.1:\(redis.port)/3")[0]
        XCTAssertEqual(try instance.control.publishShorthand(channel: "db", body: "x"), 0)
        XCTAssertEqual(try redis.cli("-n", "3", "GET", "holdfast:seq:db"), "1", "the sequence lives in database 3")

        // The ACL user security.md suggests is enough.
        XCTAssertEqual(try redis.cli("ACL", "SETUSER", "app", "on", ">pw", "~holdfast:*", "&holdfast:*", "+@read", "+@write", "+@pubsub",
                                     "+eval", "+time", "+ping", "+select"), "OK")
        let user = try startInstances(1, redisURL: "redis://app:pw@127.0.0.1:\(redis.port)/3")[0]
        let client = try open(user, "/sse/db")
        try waitUntilSubscribed("db", instances: 1)
        XCTAssertEqual(try user.control.publishShorthand(channel: "db", body: "as app"), 1)
        XCTAssertEqual(try readEvent(client), "id: 2\ndata: as app\n\n")
    }

    func testARedisOnAUnixSocket() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("redis.sock").path
        redis.stop()
        redis = try RedisServer(unixSocket: path)
        let instances = try startInstances(2, redisURL: "unix:\(path)?db=1")
        let client = try open(instances[1], "/sse/local")
        try waitUntilSubscribed("local", instances: 1)
        XCTAssertEqual(try instances[0].control.publishShorthand(channel: "local", body: "by socket"), 0)
        XCTAssertEqual(try readEvent(client), "id: 1\ndata: by socket\n\n")
        XCTAssertEqual(try redis.cli("-n", "1", "GET", "holdfast:seq:local"), "1")
    }

    func testAReloadCannotChangeTheClusterTable() throws {
        let instance = try startInstances(1)[0]
        let workers = Set(instance.workerPIDs())
        var changed = clusterConfig()
        changed.cluster["channel_prefix"] = "other:"
        try changed.render(listenPort: instance.port, controlPort: instance.controlPort)
            .write(toFile: instance.configPath, atomically: true, encoding: .utf8)
        instance.signal(SIGHUP)
        try eventually("the rejected reload is logged") { instance.stderrText.contains("[cluster] cannot change at a reload") }
        XCTAssertEqual(Set(instance.workerPIDs()), workers, "the workers expected untouched")

        let client = try open(instance, "/sse/kept")
        try waitUntilSubscribed("kept", instances: 1)
        XCTAssertEqual(try instance.control.publishShorthand(channel: "kept", body: "same prefix"), 1)
        XCTAssertEqual(try readEvent(client), "id: 1\ndata: same prefix\n\n")
    }
}
