import Dispatch
import Glibc
import Logging
import NazoratCore

/// Watches USB devices through libudev: a coldplug enumeration, then hot-plug events.
///
/// The monitor socket is watched by a Dispatch read source (epoll), so the watcher
/// sleeps in the kernel until an event arrives: no polling thread, no timer. All
/// libudev objects live on one serial queue, which is what makes this type safe to
/// share (`@unchecked Sendable`): no state is touched outside `queue`.
///
/// When the monitor reports an error (ENOBUFS after the kernel dropped events, or any
/// other receive failure), the watcher rescans every device and reconciles: what
/// vanished is reported removed, what appeared added, what differs changed.
public final class DeviceWatcher: @unchecked Sendable {
    private let queue = DispatchQueue(label: "nazorat.device-watcher")
    private let logger: Logger
    private var context: UdevContext?
    private var monitor: UdevMonitor?
    private var source: DispatchSourceRead?
    private var present = PresentDevices()
    private var continuation: AsyncStream<DeviceObservation>.Continuation?

    /// Creates a watcher; nothing happens until ``start()``.
    public init(logger: Logger) {
        self.logger = logger
    }

    /// Starts watching and returns the observations: first ``DeviceObservation/present(_:)``,
    /// then every change. The stream ends after ``stop()``.
    public func start() throws(DeviceWatcherError) -> AsyncStream<DeviceObservation> {
        let (stream, continuation) = AsyncStream.makeStream(of: DeviceObservation.self, bufferingPolicy: .unbounded)
        let result: Result<Void, DeviceWatcherError> = queue.sync {
            do throws(DeviceWatcherError) {
                let context = try UdevContext()
                self.context = context
                self.continuation = continuation
                // Listen before enumerating, so that nothing between the two is missed.
                try openMonitor(context: context)
                let scan = try DeviceScanner.scan(context: context)
                _ = present.reconcile(with: scan.devices)
                continuation.yield(.present(present.sorted))
                scan.unreadable.forEach { continuation.yield(.unreadable($0)) }
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
        continuation.onTermination = { [weak self] _ in self?.stop() }
        return stream
    }

    /// Stops watching and finishes the stream.
    public func stop() {
        queue.async { [self] in
            source?.cancel()
            source = nil
            monitor = nil
            continuation?.finish()
            continuation = nil
        }
    }

    /// Returns once the watcher's queue runs work again: the watchdog's liveness probe. A
    /// watcher stuck in a receive or a sysfs read never answers.
    public func answer() async {
        await withCheckedContinuation { continuation in queue.async { continuation.resume() } }
    }

    /// The devices the watcher believes present now, in port order.
    public var devices: [USBDevice] {
        queue.sync { present.sorted }
    }

    /// The same in no particular order: what the supervisor needs after every observation,
    /// where sorting 1,000 devices was a third of a hot-plug's CPU.
    public var unorderedDevices: [USBDevice] {
        queue.sync { present.unordered }
    }

    // MARK: - On `queue`

    private func openMonitor(context: UdevContext) throws(DeviceWatcherError) {
        source?.cancel()
        let monitor = try UdevMonitor(context: context)
        let source = DispatchSource.makeReadSource(fileDescriptor: monitor.fileDescriptor, queue: queue)
        source.setEventHandler { [weak self] in self?.drainMonitor() }
        // The monitor owns the fd; keep it alive until the source is done with it.
        source.setCancelHandler { _ = monitor }
        self.monitor = monitor
        self.source = source
        source.resume()
    }

    private func drainMonitor() {
        guard let monitor else { return }
        while true {
            switch monitor.receive() {
            case .device(let device):
                handle(device)
            case .drained:
                return
            case .failed(let error):
                recover(reason: "monitor receive failed: \(ErrnoText.describe(error))", reopen: error != ENOBUFS)
                return
            }
        }
    }

    private func handle(_ event: UdevDevice) {
        guard let action = event.action, let syspath = event.syspath else { return }
        switch event.devtype {
        case "usb_device":
            handleDevice(action: action, syspath: syspath, event: event)
        case "usb_interface":
            guard let name = event.sysname else { return }
            continuation?.yield(.interface(InterfaceEvent(
                action: action, name: name,
                devicePort: String(name.prefix { $0 != ":" }),
                type: event.property("INTERFACE").flatMap(Self.interfaceType),
                driver: event.property("DRIVER"))))
        default:
            break
        }
    }

    private func handleDevice(action: String, syspath: String, event: UdevDevice) {
        if action == "remove" {
            for change in present.remove(syspath: syspath) {
                continuation?.yield(.changed(change, cause: .uevent(action)))
            }
            return
        }
        do {
            let device = try DeviceReader.read(event) { [present] in present[$0]?.hash }
            if let change = present.upsert(device) {
                continuation?.yield(.changed(change, cause: .uevent(action)))
            }
        } catch {
            // A device that vanished under us is reported and forgotten; its remove event follows.
            for change in present.remove(syspath: syspath) {
                continuation?.yield(.changed(change, cause: .uevent(action)))
            }
            continuation?.yield(.unreadable(error))
        }
    }

    /// Rescans everything and reports the differences; reopens the monitor when it is broken.
    private func recover(reason: String, reopen: Bool) {
        guard let context else { return }
        logger.warning("device monitor lost events, rescanning", metadata: ["reason": "\(reason)"])
        do {
            if reopen { try openMonitor(context: context) }
            let scan = try DeviceScanner.scan(context: context)
            let changes = present.reconcile(with: scan.devices)
            for change in changes { continuation?.yield(.changed(change, cause: .rescan)) }
            scan.unreadable.forEach { continuation?.yield(.unreadable($0)) }
            continuation?.yield(.rescanned(reason: reason, changes: changes.count))
        } catch {
            logger.error("device rescan failed", metadata: ["error": "\(error)"])
        }
    }

    /// `INTERFACE=3/1/1` (decimal, as the kernel writes it) to `03:01:01`.
    static func interfaceType(_ property: String) -> InterfaceType? {
        let parts = property.split(separator: "/").compactMap { UInt8($0) }
        guard parts.count == 3 else { return nil }
        return InterfaceType(classCode: parts[0], subclass: parts[1], protocol: parts[2])
    }
}
