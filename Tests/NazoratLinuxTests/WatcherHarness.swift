import Glibc
import Logging
import NazoratCore
import NazoratLinux
import NazoratTestbed
import Testing

/// The fixtures directory of this repository.
let fixturesDirectory = Repository.fixtures

func fixture(_ name: String) throws -> Fixture {
    try Fixture(named: name + ".umockdev", in: fixturesDirectory)
}

/// A testbed with the polling station, a running ``DeviceWatcher`` and what it observed.
final class WatcherHarness {
    let testbed: Testbed
    let watcher: DeviceWatcher
    let observed = AwaitableLog<DeviceObservation>()
    private var consumer: Task<Void, Never>?

    static let pci = "/sys/devices/pci0000:00/0000:00:14.0"

    /// Builds the station (plus `extra` fixtures present at start) and starts the watcher.
    init(extra: [String] = [], before start: (Testbed) -> Void = { _ in }) throws {
        try #require(Testbed.isPreloaded, "run these tests through `make test` (umockdev's preload library)")
        testbed = Testbed()
        try testbed.add(fixture("polling-station"))
        for name in extra { try testbed.add(fixture(name)) }
        start(testbed)
        watcher = DeviceWatcher(logger: Logger(label: "test"))
        let stream = try watcher.start()
        let observed = observed
        consumer = Task { for await observation in stream { await observed.append(observation) } }
    }

    /// Stops the watcher and waits until its stream ended, before the testbed goes away.
    func stop() async {
        watcher.stop()
        await consumer?.value
    }

    /// Waits until an observation satisfies `match`.
    func wait(for what: String, _ match: @escaping @Sendable (DeviceObservation) -> Bool) async throws {
        try await observed.wait(for: what) { $0.contains(where: match) }
    }

    /// Waits until all observations together satisfy `condition`.
    func waitAll(
        for what: String, timeout: Duration = .seconds(30), _ condition: @escaping @Sendable ([DeviceObservation]) -> Bool
    ) async throws {
        try await observed.wait(for: what, timeout: timeout, until: condition)
    }

    /// Every device change observed so far.
    func changes() async -> [DeviceChange] {
        await observed.elements.compactMap {
            if case .changed(let change, _) = $0 { change } else { nil }
        }
    }
}

extension DeviceObservation {
    /// The device added by this observation, if it is an addition.
    var added: USBDevice? {
        if case .changed(.added(let device), _) = self { device } else { nil }
    }

    /// The device removed by this observation, if it is a removal.
    var removed: USBDevice? {
        if case .changed(.removed(let device), _) = self { device } else { nil }
    }

    var presentDevices: [USBDevice]? {
        if case .present(let devices) = self { devices } else { nil }
    }
}
