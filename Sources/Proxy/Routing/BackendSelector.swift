#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Chooses among a route's weighted backends: by weighted rendezvous hashing when the request
/// has a sticky key, else the least loaded. Why rendezvous hashing: docs/hashing.md.
public struct BackendSelector: Sendable {
    private struct Candidate: Sendable {
        /// The backend's index in `ProxyConfig.backends`, as `isUp` and `load` expect it.
        let index: Int
        /// From the backend's name, not its position, so reordering the file moves no key.
        let seed: UInt64
        let weight: Int
    }

    private let candidates: [Candidate]

    /// Weights must be positive; `ConfigLoader` refuses others.
    public init(backends: [(index: Int, name: String, weight: Int)]) {
        candidates = backends.map { backend in
            precondition(backend.weight > 0, "backend \"\(backend.name)\": weight expects a positive integer (got \(backend.weight))")
            return Candidate(index: backend.index, seed: StableHash.hash(backend.name), weight: backend.weight)
        }
    }

    /// The up backend with the highest score `weight / -ln(u)`, where `u` in (0, 1) is the hash of
    /// (key, backend). Each backend's score depends only on the key and that backend, so a backend
    /// going down moves only the keys it held, and they come back when it returns; a backend wins
    /// a key with probability weight / total weight. Nil when no backend is up.
    public func pick(key: String, isUp: (Int) -> Bool) -> Int? {
        let keyHash = StableHash.hash(key)
        var best: Int?
        var bestScore = -Double.infinity
        for candidate in candidates where isUp(candidate.index) {
            let score = Double(candidate.weight) / -log(Self.unitInterval(StableHash.mix(keyHash ^ candidate.seed)))
            if score > bestScore {
                best = candidate.index
                bestScore = score
            }
        }
        return best
    }

    /// The up backend with the lowest `load / weight`. Backends tied for lowest take turns:
    /// the `tieBreak`-th of them (modulo their count) is chosen, so a caller passing a rotating
    /// counter spreads new sessions over idle backends. Nil when no backend is up.
    public func leastLoaded(isUp: (Int) -> Bool, load: (Int) -> Int, tieBreak: Int) -> Int? {
        withUnsafeTemporaryAllocation(of: Int?.self, capacity: candidates.count) { loads in
            var lowest: (load: Int, weight: Int)?
            var tied = 0
            for (position, candidate) in candidates.enumerated() {
                guard isUp(candidate.index) else {
                    loads.initializeElement(at: position, to: nil)
                    continue
                }
                let current = load(candidate.index)
                loads.initializeElement(at: position, to: current)
                // Compares load/weight fractions exactly, by cross-multiplying.
                if let low = lowest, current * low.weight >= low.load * candidate.weight {
                    if current * low.weight == low.load * candidate.weight { tied += 1 }
                } else {
                    lowest = (current, candidate.weight)
                    tied = 1
                }
            }
            guard let lowest else { return nil }
            var turn = ((tieBreak % tied) + tied) % tied
            for (position, candidate) in candidates.enumerated() {
                guard let current = loads[position], current * lowest.weight == lowest.load * candidate.weight else { continue }
                if turn == 0 { return candidate.index }
                turn -= 1
            }
            preconditionFailure("leastLoaded counted \(tied) tied backends but found fewer on the second pass")
        }
    }

    /// Maps a hash to (0, 1), never 0 or 1, so that its logarithm is finite and negative.
    private static func unitInterval(_ hash: UInt64) -> Double {
        (Double(hash >> 11) + 0.5) * 0x1p-53
    }
}
