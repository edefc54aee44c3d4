/// Every open client session of a worker, as an intrusive list: O(1) to add and remove,
/// two references per session instead of a dictionary entry.
final class SessionList {
    private(set) var count = 0
    private var head: ClientSession?

    func insert(_ session: ClientSession) {
        session.nextInList = head
        head?.previousInList = session
        head = session
        count += 1
    }

    func remove(_ session: ClientSession) {
        guard session.previousInList != nil || head === session else { return }
        if let previous = session.previousInList { previous.nextInList = session.nextInList } else { head = session.nextInList }
        session.nextInList?.previousInList = session.previousInList
        session.nextInList = nil
        session.previousInList = nil
        count -= 1
    }

    /// A snapshot, so sessions may remove themselves while the caller walks it.
    var all: [ClientSession] {
        var sessions: [ClientSession] = []
        var cursor = head
        while let session = cursor {
            sessions.append(session)
            cursor = session.nextInList
        }
        return sessions
    }
}
