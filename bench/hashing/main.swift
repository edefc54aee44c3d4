// Measures BackendSelector: keys moved when a backend goes down and comes back, balance over
// backends, and the cost of a pick. Built by run.sh with the selector's own sources, in release mode.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Deterministic session-id-like keys (32 hex digits), so every run measures the same keys.
func sessionKeys(_ count: Int) -> [String] {
    var state: UInt64 = 0x9e37_79b9_7f4a_7c15
    func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        return StableHash.mix(state)
    }
    return (0..<count).map { _ in
        let high = String(next(), radix: 16), low = String(next(), radix: 16)
        return String(repeating: "0", count: 16 - high.count) + high + String(repeating: "0", count: 16 - low.count) + low
    }
}

func selector(weights: [Int]) -> BackendSelector {
    BackendSelector(backends: weights.enumerated().map { (index: $0.offset, name: "backend-\($0.offset)", weight: $0.element) })
}

func format(_ value: Double, _ digits: Int = 4) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    return "\(rounded)"
}

let keys = sessionKeys(100_000)
let sequentialKeys = (0..<100_000).map { "user-\($0)" }

print("## Keys moved when one backend goes down, then comes back (100,000 keys, equal weights)")
print("| backends | ideal (1/N) | moved on down (mean over each backend) | moved that were not on the downed backend | returned on up |")
print("|---|---|---|---|---|")
for count in [3, 5, 10] {
    let chooser = selector(weights: Array(repeating: 1, count: count))
    let before = keys.map { chooser.pick(key: $0, isUp: { _ in true })! }
    var movedTotal = 0, strayMoves = 0, returned = 0, shouldReturn = 0
    for down in 0..<count {
        let during = keys.map { chooser.pick(key: $0, isUp: { $0 != down })! }
        let after = keys.map { chooser.pick(key: $0, isUp: { _ in true })! }
        for position in keys.indices where during[position] != before[position] {
            movedTotal += 1
            if before[position] != down { strayMoves += 1 }
        }
        for position in keys.indices where before[position] == down {
            shouldReturn += 1
            if after[position] == down { returned += 1 }
        }
    }
    let movedFraction = Double(movedTotal) / Double(count * keys.count)
    print("| \(count) | \(format(1 / Double(count))) | \(format(movedFraction)) | \(strayMoves) | \(returned) of \(shouldReturn) |")
}

print("\n## Keys moved when a backend is added to the route (100,000 keys, equal weights)")
print("| backends | ideal (1/(N+1)) | moved | moved to an old backend |")
print("|---|---|---|---|")
for count in [3, 5, 10] {
    let before = selector(weights: Array(repeating: 1, count: count))
    let after = selector(weights: Array(repeating: 1, count: count + 1))
    var moved = 0, movedToOld = 0
    for key in keys {
        let old = before.pick(key: key, isUp: { _ in true })!, new = after.pick(key: key, isUp: { _ in true })!
        guard old != new else { continue }
        moved += 1
        if new != count { movedToOld += 1 }
    }
    print("| \(count) → \(count + 1) | \(format(1 / Double(count + 1))) | \(format(Double(moved) / Double(keys.count))) | \(movedToOld) |")
}

func shares(_ chooser: BackendSelector, count: Int, keys: [String]) -> [Double] {
    var counts = Array(repeating: 0, count: count)
    for key in keys { counts[chooser.pick(key: key, isUp: { _ in true })!] += 1 }
    return counts.map { Double($0) / Double(keys.count) }
}

print("\n## Balance (100,000 keys): max/min of share ÷ weight; 1.0 is perfect")
print("| weights | keys | shares | max/min |")
print("|---|---|---|---|")
for weights in [[1, 1, 1], [1, 1, 1, 1, 1], Array(repeating: 1, count: 10), Array(repeating: 1, count: 20), [1, 2, 3], [1, 1, 2, 4, 8], [3, 1, 1, 1, 1, 1, 1, 1, 1, 1]] {
    for (label, keySet) in [("session ids", keys), ("user-N", sequentialKeys)] {
        let share = shares(selector(weights: weights), count: weights.count, keys: keySet)
        let total = Double(weights.reduce(0, +))
        let normalized = zip(share, weights).map { $0 / (Double($1) / total) }
        let weightsText = weights.count > 5 && Set(weights).count == 1 ? "\(weights.count) × 1" : weights.map(String.init).joined(separator: ",")
        let sharesText = weights.count > 5 ? "min \(format(share.min()!)) max \(format(share.max()!))" : share.map { format($0) }.joined(separator: " ")
        print("| \(weightsText) | \(label) | \(sharesText) | \(format(normalized.max()! / normalized.min()!, 3)) |")
    }
}

func nanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

print("\n## Cost per call (32-character keys, all backends up; best of 5 rounds of 100,000 calls)")
print("| backends | pick ns/call | leastLoaded ns/call |")
print("|---|---|---|")
for count in [3, 20] {
    let chooser = selector(weights: Array(repeating: 1, count: count))
    var sink = 0
    var bestPick = UInt64.max, bestLeast = UInt64.max
    for _ in 0..<5 {
        let start = nanoseconds()
        for key in keys { sink &+= chooser.pick(key: key, isUp: { _ in true })! }
        let middle = nanoseconds()
        for turn in keys.indices { sink &+= chooser.leastLoaded(isUp: { _ in true }, load: { $0 & 3 }, tieBreak: turn)! }
        let end = nanoseconds()
        bestPick = min(bestPick, middle - start)
        bestLeast = min(bestLeast, end - middle)
    }
    print("| \(count) | \(format(Double(bestPick) / Double(keys.count), 1)) | \(format(Double(bestLeast) / Double(keys.count), 1)) |  <!-- \(sink) -->")
}
