/// Shares equal values between held clients: thousands of clients held by the same backend answer
/// keep one copy of its timeout response and channel list instead of one each.
struct InternTable<Value: Hashable> {
    private var values: [Value: Value] = [:]
    /// Bounded: when full it starts over (values already handed out stay shared).
    private let capacity: Int

    init(capacity: Int = 4096) { self.capacity = capacity }

    mutating func intern(_ value: Value) -> Value {
        if let existing = values[value] { return existing }
        if values.count >= capacity { values.removeAll(keepingCapacity: true) }
        values[value] = value
        return value
    }
}
