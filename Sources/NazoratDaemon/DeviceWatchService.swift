import NazoratLinux
import ServiceLifecycle

/// Runs the device watcher and hands every observation to the supervisor.
struct DeviceWatchService: Service {
    let watcher: DeviceWatcher
    let supervisor: Supervisor

    func run() async throws {
        let observations = try watcher.start()
        defer { watcher.stop() }
        for await observation in observations.cancelOnGracefulShutdown() {
            await supervisor.observe(observation)
        }
    }
}
