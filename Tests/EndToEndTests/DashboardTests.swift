import Crypto
import Foundation
import Synchronization
import Testing

/// The monitoring room in a real headless browser: the overview's counts for seeded
/// stations in several states and regions, a station going silent turning late then down on
/// the page without a reload, and an alarm raised at a station under test on its page.
/// Screenshots go to .build/dashboard-screenshots/ (the README's come from there).
@Suite(.serialized) struct DashboardTests {
    private let password = "monitoring room 2026"

    private func save(_ browser: Browser, _ name: String) throws {
        let directory = Paths.repository + "/.build/dashboard-screenshots"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try browser.screenshot().write(to: URL(fileURLWithPath: directory + "/" + name + ".png"))
    }

    /// The text of the cell for `state` in the row `selector`, as the page shows it.
    private func count(_ browser: Browser, _ selector: String, _ state: String) throws -> String? {
        try browser.run("const c = document.querySelector(arguments[0] + ' td[data-state=\"' + arguments[1] + '\"]'); "
                        + "return c ? c.textContent : null;", [selector, state]) as? String
    }

    @Test func theOverviewCountsSeededStationsAndASilentOneTurnsLateThenDownWithoutAReload() async throws {
        // A grace longer than the 5 s of delivery slack: late from 6 s of silence, down from 11 s.
        let central = try await CentralProcess(grace: 10, extra: ["--dashboard-refresh", "1"])
        let keys = (0..<5).map { _ in Curve25519.Signing.PrivateKey() }
        try central.enroll([("AND-1", "Andijon", "Asaka", "School 1", keys[0]), ("AND-2", "Andijon", "Asaka", "School 2", keys[1]),
                            ("BUX-1", "Buxoro", "Kogon", "School 3", keys[2]), ("BUX-2", "Buxoro", "Kogon", "School 4", keys[3]),
                            ("JIZ-1", "Jizzax", "Zomin", "School 5", keys[4])])
        try central.retire("JIZ-1")
        try central.account("vera", role: "viewer", password: password)
        // AND-1 and BUX-2 (polls open, 7 + 5 ballots) keep beating; BUX-1 beats until the
        // overview has been read, then falls silent; AND-2 never beats.
        let stop = Mutex(false), silent = Mutex(false), port = central.port, (alive, quiet, open) = (keys[0], keys[2], keys[3])
        let beating = Thread {
            var seq: Int64 = 1
            while !stop.withLock({ $0 }) {
                let bux1 = silent.withLock { $0 } ? nil : try? heartbeat("BUX-1", seq: seq, key: quiet)
                for body in [try? heartbeat("AND-1", seq: seq, key: alive), bux1,
                             try? heartbeat("BUX-2", seq: seq, key: open, phase: "open", ballots: [7, 5])] where body != nil {
                    let data = (try? JSONSerialization.data(withJSONObject: ["envelopes": [body as Any]])) ?? Data()
                    _ = try? UnixHTTP.request(port: port, "POST", "/v1/envelopes", body: data)
                }
                seq += 1
                Thread.sleep(forTimeInterval: 0.5)
            }
        }
        beating.start()
        defer { stop.withLock { $0 = true } }

        let browser = try await Browser()
        try await browser.signIn(at: "http://127.0.0.1:\(central.port)", name: "vera", password: password)
        try await eventually("the overview") { try count(browser, "#national-counts", "up") == "3" }
        _ = try browser.run("window.nazoratMarker = 42;")
        #expect(try browser.run("return document.querySelector('#national-counts td').textContent") as? String == "5")
        #expect(try count(browser, "#national-counts", "never-seen") == "1" && count(browser, "#national-counts", "retired") == "1")
        #expect(try count(browser, "tr[data-region=\"Andijon\"]", "never-seen") == "1")
        #expect(try count(browser, "tr[data-region=\"Jizzax\"]", "retired") == "1")
        let turnout = try browser.run("return document.querySelector('tr[data-region=\"Buxoro\"]').children[9].textContent") as? String
        let national = try browser.run("return document.querySelector('#turnout').textContent") as? String
        #expect(turnout == "12" && national == "12")
        #expect(try browser.run("return document.body.dataset.role") as? String == "viewer")
        try save(browser, "overview")

        // BUX-1 falls silent: late, then down, on the page as it stands.
        silent.withLock { $0 = true }
        let state = "const r = document.querySelector('#attention tr[data-station=\"BUX-1\"]'); return r ? r.children[4].textContent : null;"
        try await eventually("BUX-1 late", timeout: .seconds(60)) { try browser.run(state) as? String == "late" }
        try await eventually("BUX-1 down", timeout: .seconds(60)) { try browser.run(state) as? String == "down" }
        #expect(try count(browser, "tr[data-region=\"Buxoro\"]", "down") == "1")
        #expect(try browser.run("return window.nazoratMarker") as? Int == 42, "the page was never reloaded")
        try save(browser, "overview-down")
    }

    @Test func anAlarmRaisedAtAStationUnderTestAppearsOnItsPage() async throws {
        let central = try await CentralProcess(extra: ["--dashboard-refresh", "1"])
        try central.account("omar", role: "operator", password: password)
        let harness = try await ControlHarness(extra: ControlHarness.uplink("http://127.0.0.1:\(central.port)"))
        // Sealed: a device the seal does not know is then an alarm.
        #expect(try harness.request("POST", "/v1/seal").status == 200)
        let uplink = try harness.startUplink(enrollingAt: central)
        defer { _ = uplink.stop(SIGKILL) }
        try await eventually("heartbeats at central") { (try central.station("TEST-0006")?["acceptedSeq"] as? Int ?? 0) >= 2 }

        let browser = try await Browser()
        try await browser.signIn(at: "http://127.0.0.1:\(central.port)", name: "omar", password: password)
        try await eventually("signed in") { try browser.run("return document.body.dataset.role") as? String == "operator" }
        _ = try browser.run("location.hash = '#/station/TEST-0006';")
        try await eventually("the station's page") {
            (try browser.run("return document.querySelector('#station-heartbeats tbody').children.length") as? Int ?? 0) > 0
        }
        #expect(try browser.run("return document.querySelector('#station-alarms').children.length") as? Int == 0)
        try harness.testbed.add(try Paths.fixture("usb-stick"))
        try await eventually("the alarm on the station's page") {
            try browser.run("return document.querySelector('#station-alarms li[data-kind=\"device.unexpected\"]') !== null") as? Bool == true
        }
        try await eventually("the stick's alarm in the event timeline") {
            (try browser.run("return document.querySelector('#station-events').textContent") as? String ?? "")
                .contains("alarm: device.unexpected at 1-3")
        }
        try save(browser, "station")
    }
}
