import ArgumentParser
import Foundation
import NazoratTestbed

/// `nazorat-station-sim`: runs a command on a simulated polling station (umockdev) and
/// plugs a device in and out while it runs. `make demo` uses it to show the daemon at work.
@main
struct StationSimulator: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nazorat-station-sim",
        abstract: "Run a command on a simulated polling station and hot-plug a device while it runs.")

    @Option(help: "The station fixture (umockdev format).")
    var station = "Tests/Fixtures/polling-station.umockdev"

    @Option(help: "A fixture present from the start, besides the station (repeatable).")
    var extra: [String] = []

    @Option(help: "A fixture to plug in and out (repeatable).")
    var plug: [String] = []

    @Option(help: "Seconds between plug and unplug steps.")
    var every: Double = 3

    @Option(help: "A fixture whose devices are plugged in one after the other, --storm-gap apart, after --every seconds (the hot-plug benchmark).")
    var storm: String?

    @Option(help: "Milliseconds between the devices of --storm.")
    var stormGap: Double = 2

    @Argument(parsing: .captureForPassthrough, help: "The command to run, after --.")
    var command: [String]

    func run() throws {
        try Self.reexecUnderPreloadIfNeeded()
        let arguments = command.first == "--" ? Array(command.dropFirst()) : command
        guard let executable = arguments.first else { throw ValidationError("no command given after --") }
        let testbed = Testbed()
        try testbed.add(Fixture(path: station))
        for path in extra { try testbed.add(Fixture(path: path)) }
        let fixtures = try plug.map { path throws(Testbed.LoadError) in try Fixture(path: path) }

        let child = Process()
        child.executableURL = URL(fileURLWithPath: executable)
        child.arguments = Array(arguments.dropFirst())
        child.environment = testbed.childEnvironment
        try child.run()
        let forwarder = Self.forwardTerminationSignals(to: child)
        defer { forwarder.forEach { $0.cancel() } }
        say("station \(station) is up; running \(executable) (pid \(child.processIdentifier))")

        if let storm {
            let devices = try Fixture(path: storm).perDevice
            pause()
            say("storm: plugging \(devices.count) devices")
            let start = DispatchTime.now()
            for device in devices where child.isRunning {
                try testbed.add(device)
                usleep(useconds_t(stormGap * 1000))
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
            say("storm: \(devices.count) devices plugged in \(seconds) s")
        }
        for fixture in fixtures where child.isRunning {
            pause()
            say("plugging in \(fixture.name)")
            try testbed.add(fixture)
            pause()
            say("unplugging \(fixture.name)")
            testbed.unplug(fixture)
        }
        if !fixtures.isEmpty {
            pause()
            say("done; stopping \(executable)")
            child.terminate()
        }
        child.waitUntilExit()
        if child.terminationReason == .exit, child.terminationStatus != 0 {
            throw ExitCode(child.terminationStatus)
        }
    }

    /// libudev in this process must see the testbed too (umockdev sends uevents through it),
    /// so the simulator restarts itself under umockdev's preload library when needed.
    private static func reexecUnderPreloadIfNeeded() throws {
        guard !Testbed.isPreloaded else { return }
        let preload = ProcessInfo.processInfo.environment["LD_PRELOAD"].map { $0 + " " } ?? ""
        setenv("LD_PRELOAD", preload + "libumockdev-preload.so.0", 1)
        let arguments = CommandLine.arguments
        let argv = arguments.map { strdup($0) } + [nil]
        execv("/proc/self/exe", argv)
        throw ValidationError("cannot restart under umockdev: \(String(cString: strerror(errno)))")
    }

    /// SIGTERM and SIGINT stop the child too, so that nothing is left running.
    private static func forwardTerminationSignals(to child: Process) -> [DispatchSourceSignal] {
        [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                kill(child.processIdentifier, number)
                child.waitUntilExit()
                Foundation.exit(128 + number)
            }
            source.resume()
            return source
        }
    }

    private func pause() {
        Thread.sleep(forTimeInterval: every)
    }

    private func say(_ message: String) {
        FileHandle.standardError.write(Data("[station-sim] \(message)\n".utf8))
    }
}
