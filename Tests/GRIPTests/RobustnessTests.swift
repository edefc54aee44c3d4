import GRIP
import XCTest

/// Arbitrary input must give a value or an error, never a crash or a hang.
final class RobustnessTests: XCTestCase {
    /// SplitMix64: deterministic, so a failure reproduces.
    private struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    }

    func testRandomGripHeaderValues() {
        var random = Random(state: 1)
        let alphabet = Array(#"ab7 ;,="\<>/x:=nrt-"#)
        let names = ["Grip-Channel", "Grip-Timeout", "Grip-Keep-Alive", "Grip-Status", "Grip-Link"]
        for _ in 0..<3000 {
            let value = String((0..<random.below(24)).map { _ in alphabet[random.below(alphabet.count)] })
            let name = names[random.below(names.count)]
            let headers = [(name: "Grip-Hold", value: "stream"), (name: "Grip-Channel", value: "c"), (name: name, value: value)]
            if let instruction = try? GripHeaders.parseHold(headers) {
                XCTAssertFalse(instruction.channels.isEmpty)
                XCTAssertFalse(instruction.channels.contains { $0.name.isEmpty })
            }
        }
    }

    func testMutatedPublishFrames() throws {
        var random = Random(state: 2)
        let frame = PublishCodec.encode([
            PublishItem(channel: "a", id: "1", httpResponse: PublishedResponse(headers: [.init(name: "X", value: "y")], body: [1, 2])),
            PublishItem(channel: "b", httpStream: .content([3])),
        ])
        for _ in 0..<3000 {
            var mutated = frame
            for _ in 0...random.below(3) { mutated[random.below(mutated.count)] = UInt8(random.below(256)) }
            _ = try? PublishCodec.decode(mutated)
        }
    }

    func testRandomPublishBodies() {
        var random = Random(state: 3)
        let pieces = [#"{"items":["#, #"{"channel":"a","#, #""formats":{"#, #""http-stream":{"content":"x"}"#,
                      #""http-response":{"code":200}"#, "}", "]", ",", "\"", "null", "1", "[", "{"]
        for _ in 0..<500 {
            let body = (0..<random.below(10)).map { _ in pieces[random.below(pieces.count)] }.joined()
            if let items = try? PublishRequest.parseJSON(Array(body.utf8)) {
                XCTAssertFalse(items.isEmpty)
                XCTAssertTrue(items.allSatisfy { !$0.channel.isEmpty && ($0.httpResponse != nil || $0.httpStream != nil) })
            }
        }
    }
}
