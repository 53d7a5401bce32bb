import Benchmark
import Crypto
import Foundation
import NazoratCore
import NazoratStore

/// Micro benchmarks of the hot paths: rule evaluation, the USBGuard hash, durable event
/// appends (single and batched) and envelope signing and verification.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .mallocCountTotal, .throughput],
                                           maxDuration: .seconds(5), maxIterations: 10_000)

    // 100 rules of the kinds a station policy has, 1,000 devices.
    let rules = Workload.rules(count: 100)
    let policy = Policy(rules: try! RuleParser(file: "bench.rules").parse(rules), implicit: .block)
    let devices = Workload.devices(count: 1000)
    // One iteration decides all 1,000 devices.
    Benchmark("Policy: 1,000 devices against 100 rules") { benchmark in
        for _ in benchmark.scaledIterations {
            for device in devices { blackHole(policy.decide(device, secondsOfDay: 43_200)) }
        }
    }

    let product = Array("BS-200 Ballot Scanner".utf8)
    let serial = Array("BS200-0004711".utf8)
    let descriptors = [UInt8](repeating: 0x09, count: 64)
    Benchmark("USBGuard device hash", configuration: .init(scalingFactor: .kilo)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(DeviceHash.device(product: product, vendorID: Array("2c4e".utf8), productID: Array("0b01".utf8),
                                        serial: serial, descriptorHashInput: descriptors))
        }
    }

    let key = Curve25519.Signing.PrivateKey()
    let payload = Array(String(repeating: "{\"station\":\"TSH-0001\",\"seq\":1}", count: 40).utf8)
    Benchmark("Envelope: sign (1.2 KB heartbeat)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(Envelope.sign(type: "application/vnd.nazorat.heartbeat+json", payload: payload, key: key))
        }
    }
    let signed = Envelope.sign(type: "application/vnd.nazorat.heartbeat+json", payload: payload, key: key)
    Benchmark("Envelope: verify (1.2 KB heartbeat)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(signed.verifiedPayload(key: key.publicKey)) }
    }

    // Durable appends: WAL, synchronous=FULL, on the machine's disk (fsync per commit).
    for batch in [1, 100] {
        Benchmark("Event log: durable append, \(batch) event\(batch == 1 ? "" : "s") per commit",
                  configuration: .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(5))) { benchmark in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nazorat-bench-\(UUID())").path
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let opened = try StateDirectory.open(directory: directory, station: "BENCH-1", now: Workload.time())
            let log = try EventLog(store: opened.store, signer: opened.signer, queueLimit: 1000,
                                   clock: Workload.time, onStorageChange: { _ in }, onCommitted: { _ in })
            let drafts = (0..<batch).map { Workload.draft($0) }
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                await log.record(StoreBatch(drafts: drafts))
            }
            benchmark.stopMeasurement()
        }
    }
}

/// Synthetic inputs shaped like a polling station's.
enum Workload {
    static func rules(count: Int) -> String {
        var lines: [String] = []
        for index in 0..<count {
            switch index % 4 {
            case 0: lines.append("allow id 2c4e:\(String(format: "%04x", index)) serial \"BS200-\(index)\" with-interface ff:00:00 label \"role=ballot-scanner\"")
            case 1: lines.append("block with-interface one-of { 02:*:* 0a:*:* e0:*:* }")
            case 2: lines.append("reject with-interface all-of { 08:*:* 03:*:* }")
            default: lines.append("allow id 04b8:\(String(format: "%04x", index)) with-interface 07:01:02 with-connect-type \"hotplug\"")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func devices(count: Int) -> [USBDevice] {
        (0..<count).map { index in
            USBDevice(syspath: "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-\(index)", port: "1-\(index)",
                      vendorID: 0x0781, productID: UInt16(index), serial: DeviceString("4C53000\(index)"),
                      product: DeviceString("Cruzer Blade"), bcdDevice: 0x0100, deviceClass: 0,
                      interfaces: [InterfaceType(classCode: 0x08, subclass: 0x06, protocol: 0x50)],
                      connectType: .hotplug, parentPort: "usb1", authorized: true, hash: "h\(index)")
        }
    }

    @Sendable static func time() -> EventTime {
        EventTime(realtimeUSec: 1_800_000_000_000_000, monotonicUSec: 1_000_000, bootID: String(repeating: "a", count: 32))
    }

    static func draft(_ index: Int) -> EventDraft {
        EventDraft(type: .deviceAdded, severity: .notice, subject: "1-\(index)",
                   message: "device added: 1-\(index) 0781:5567 \"Cruzer Blade\" (uevent add)",
                   payload: #"{"cause":"uevent add"}"#, time: time())
    }
}
