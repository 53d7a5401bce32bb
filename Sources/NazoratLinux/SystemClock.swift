import Glibc
import NazoratCore

/// Event time stamps from the kernel: CLOCK_REALTIME, CLOCK_MONOTONIC and the boot id.
public struct SystemClock: Sendable {
    private let bootID: String

    /// Reads the boot id once (`/proc/sys/kernel/random/boot_id`, dashes removed).
    public init() {
        let text = (try? SysfsAttributes.read("/proc/sys/kernel/random/boot_id")).flatMap { $0 } ?? []
        bootID = String(decoding: text.filter { $0 != UInt8(ascii: "-") }, as: UTF8.self)
    }

    /// Now, on both clocks.
    public func now() -> EventTime {
        EventTime(realtimeUSec: Self.microseconds(CLOCK_REALTIME), monotonicUSec: Self.microseconds(CLOCK_MONOTONIC),
                  bootID: bootID)
    }

    /// Seconds since local midnight (for `localtime(...)` rule conditions).
    public func secondsOfDay() -> Int {
        var now = time(nil)
        var local = tm()
        localtime_r(&now, &local)
        return Int(local.tm_hour) * 3600 + Int(local.tm_min) * 60 + Int(local.tm_sec)
    }

    private static func microseconds(_ clock: clockid_t) -> Int64 {
        var spec = timespec()
        clock_gettime(clock, &spec)
        return Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1_000
    }
}
