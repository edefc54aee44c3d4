/// Every open client session of a worker, in a slot per descriptor (as nginx keeps its
/// connections): O(1) to add and remove, and nothing stored in the session itself, which every
/// held client pays for.
final class SessionTable {
    private var slots: [ClientSession?] = []
    private(set) var count = 0

    func insert(_ session: ClientSession) {
        let fd = Int(session.socket.fd)
        if fd >= slots.count { slots.append(contentsOf: repeatElement(nil, count: fd + 1 - slots.count)) }
        if slots[fd] == nil { count += 1 }
        slots[fd] = session
    }

    /// Removes `session` if it still holds its descriptor's slot (safe to call more than once).
    func remove(_ session: ClientSession) {
        let fd = Int(session.socket.fd)
        guard fd < slots.count, slots[fd] === session else { return }
        slots[fd] = nil
        count -= 1
    }

    /// A snapshot, so sessions may remove themselves while the caller walks it.
    var all: [ClientSession] { slots.compactMap { $0 } }
}
