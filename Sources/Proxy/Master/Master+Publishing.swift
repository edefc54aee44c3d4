import GRIP

/// A publish waiting for the end of the loop's pass: its `PublishCodec` items, and who wants the sum
/// of its deliveries (nobody for a message from Redis).
struct QueuedPublish {
    var encoded: [UInt8]
    var answer: ((Int) -> Void)?
}

/// The publishes that reach the master in one pass of its loop go to each worker as one frame and
/// come back as one acknowledgement, instead of a frame, an ack and their system calls each.
extension Master {
    static let publishAckTimeout = Duration.seconds(2)

    /// Sent, in the order queued, once the loop has handled everything else that is ready.
    func queuePublish(_ encoded: [UInt8], answer: ((Int) -> Void)?) {
        queuedPublishes.append(QueuedPublish(encoded: encoded, answer: answer))
        if !publishFlush.isScheduled { publishFlush.schedule(after: .zero) }
    }

    /// To every live worker, old generations included; each answer gets its publish's sum over them.
    func sendQueuedPublishes() {
        let queued = queuedPublishes
        queuedPublishes = []
        guard !queued.isEmpty else { return }
        let firstID = lastRequestID + 1
        lastRequestID += UInt64(queued.count)
        let frame = MasterFrame.publish(firstID: firstID, batches: queued.map(\.encoded))
        let reached = Set(workers.values.filter { $0.isReachable && $0.send(frame) }.map(\.pid))
        let answers = queued.map(\.answer)
        guard !reached.isEmpty, answers.contains(where: { $0 != nil }) else {
            for answer in answers { answer?(0) }
            return
        }
        pendingPublishes[firstID] = ReplyCollector(base: base, waitingFor: reached, timeout: Self.publishAckTimeout) { [unowned self] acks in
            pendingPublishes[firstID] = nil
            for (offset, answer) in answers.enumerated() {
                // A worker's list is as long as the frame's; anything else counts as no deliveries.
                answer?(acks.values.reduce(0) { $0 + ($1.indices.contains(offset) ? $1[offset] : 0) })
            }
        }
    }
}
