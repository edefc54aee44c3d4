/// The answers to one connection's pipelined requests, let out strictly in request order (HTTP/1.1):
/// an answer ready before an earlier one waits for it.
struct OrderedAnswers {
    /// From the oldest answer not yet let out; nil where it is not ready.
    private var slots: [[UInt8]?] = []
    /// The ticket of `slots[0]`.
    private var firstTicket = 0

    /// Requests whose answers have not been let out.
    var unanswered: Int { slots.count }

    /// A place for the next request's answer, in request order.
    mutating func reserve() -> Int {
        slots.append(nil)
        return firstTicket + slots.count - 1
    }

    /// Puts `ticket`'s answer in its place; returns every answer now due, in order, in one buffer
    /// (empty while an earlier one is missing).
    mutating func fill(_ ticket: Int, with answer: [UInt8]) -> [UInt8] {
        slots[ticket - firstTicket] = answer
        var due: [UInt8] = []
        var count = 0
        while count < slots.count, let ready = slots[count] {
            due += ready
            count += 1
        }
        slots.removeFirst(count)
        firstTicket += count
        return due
    }
}
