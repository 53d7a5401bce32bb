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

    /// What a report shows of the walk: intact and how many events, or the first problem.
    static func state(path: String, head: LogHead?) async -> PollsReport.LogState {
        do {
            switch try await verify(path: path, qos: .userInitiated)?.result {
            case .success(let summary)?:
                return .init(head: head, intact: true, verifiedEvents: summary.events, problem: nil)
            case .failure(let failure)?:
                return .init(head: head, intact: false, verifiedEvents: max(0, failure.seq - 1), problem: "\(failure)")
            case nil:
                return .init(head: head, intact: false, verifiedEvents: 0, problem: "the walk was stopped")
            }
        } catch {
            return .init(head: head, intact: false, verifiedEvents: 0, problem: "the log could not be read: \(error)")
        }
    }
}
