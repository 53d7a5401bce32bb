import Dispatch
import NazoratCore
import NazoratStore

/// The whole log verified on a thread of its own, one event at a time, so that device events
/// are not kept waiting: the audit after READY=1 and the zero report's verify-log. With the
/// key the database recorded, as the start's check uses.
enum LogWalk {
    /// The report, or nil once `shouldStop` says so.
    static func verify(path: String, qos: DispatchQoS.QoSClass,
                       shouldStop: @escaping @Sendable () -> Bool = { false }) async throws -> LogVerification.Report? {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<LogVerification.Report?, any Error>) in
            DispatchQueue.global(qos: qos).async {
                continuation.resume(with: Result { () throws(StoreError) in
                    try LogVerification.verify(path: path, publicKey: nil, shouldStop: shouldStop)
                })
            }
        }
    }

    /// What a report shows of the walk: intact and how many events, or the first problem (the
    /// head is the Supervisor's to add, at the moment of the report).
    static func state(path: String) async -> PollsReport.LogState {
        do {
            switch try await verify(path: path, qos: .userInitiated)?.result {
            case .success(let summary)?:
                return .init(head: nil, intact: true, verifiedEvents: summary.events, problem: nil)
            case .failure(let failure)?:
                return .init(head: nil, intact: false, verifiedEvents: max(0, failure.seq - 1), problem: "\(failure)")
            case nil:
                return .init(head: nil, intact: false, verifiedEvents: 0, problem: "the walk was stopped")
            }
        } catch {
            return .init(head: nil, intact: false, verifiedEvents: 0, problem: "the log could not be read: \(error)")
        }
    }
}

/// The reports' walks: one at a time, and the last result again while the log's head has not
/// moved, so that a technician refreshing the zero report's preview (permission read) does
/// not walk a year of log each time, nor several at once.
actor ReportWalks {
    private let path: String
    private var last: (headSeq: Int64?, state: PollsReport.LogState)?
    private var running: Task<PollsReport.LogState, Never>?

    init(path: String) {
        self.path = path
    }

    /// The walk's result for a log whose head is `headSeq` now.
    func state(headSeq: Int64?) async -> PollsReport.LogState {
        if let last, last.headSeq == headSeq { return last.state }
        // A walk under way began before this call: what it verifies was in the log then.
        if let running { return await running.value }
        let task = Task { [path] in await LogWalk.state(path: path) }
        running = task
        let state = await task.value
        running = nil
        last = (headSeq, state)
        return state
    }
}
