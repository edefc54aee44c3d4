import XCTest

/// A held stream whose client stops reading is cut off once its unsent output passes
/// `channels.subscriber_buffer_bytes` (docs/configuration.md, docs/architecture.md), and counted.
final class GripSlowSubscriberTests: ScenarioTestCase {
    func testAStreamClientThatNeverReadsIsDisconnected() throws {
        let proxy = try startProxy { $0.channels["subscriber_buffer_bytes"] = 1024 }
        let client = try HTTPClient(port: proxy.port, receiveBufferBytes: 4096)
        try client.sendRequest("GET", holdTarget(mode: "stream", channels: "firehose"))
        try proxy.control.waitUntilHeld(1)
        let item = httpStreamItem(channel: "firehose", content: String(repeating: "x", count: 64 * 1024))

        // The kernel's socket buffers take the first megabytes; publish until Holdfast gives up on the client.
        var published = 0
        try eventually("the never-reading client is dropped", timeout: .seconds(30), interval: .milliseconds(1)) {
            published += 1
            return try proxy.control.publish(items: [item]) == 0
        }

        try eventually("holdfast_subscribers_dropped_total{reason=\"slow_reader\"} reaches 1") {
            try proxy.control.metric("holdfast_subscribers_dropped_total", labels: #"reason="slow_reader""#) ?? 0 >= 1
        }
        try proxy.control.waitUntilHeld(0)
        XCTAssertTrue(client.isClosedByPeer(timeout: .seconds(5)), "the connection expected to be closed by Holdfast after \(published) publishes")
    }
}
