// The idle floor of the Swift runtime on Linux: one task awaiting an AsyncStream that never
// yields, nothing else. The benchmark counts this process's wakeups next to nazoratd's.
import Dispatch

let (events, continuation) = AsyncStream.makeStream(of: Int.self)
Task { for await _ in events {} }
withExtendedLifetime(continuation) { dispatchMain() }
