import FoundationEssentials
import Logging
import NazoratAPI
import NazoratCore
import NazoratHTTP

/// nazorat-central's API (docs/central-protocol.md): `POST /v1/envelopes`,
/// `GET /v1/stations`, `GET /metrics`.
struct CentralRoutes: Sendable {
    let store: any CentralDatabase
    let receiver: Receiver
    /// When a station is late and down.
    let liveness: Liveness
    let now: @Sendable () -> Int64
    /// Where a storage failure's detail goes (the answer is ``Receiver/storageFailed``'s sentence).
    var logger = Logger(label: "nazorat-central")
    /// The monitoring room's pages (`/dashboard`).
    var dashboard: DashboardRoutes?

    func route(_ request: ControlRequest) async -> ControlResponse {
        switch (request.method, request.path) {
        case ("POST", "/v1/envelopes"): return await receive(request.body)
        case ("GET", "/v1/stations"): return await stations()
        case ("GET", "/metrics"): return await metrics()
        case ("GET", "/v1/regions"): return await regions()
        case _ where request.path == "/dashboard" || request.path.hasPrefix("/dashboard/"):
            guard let dashboard else { return .error(404, code: "not-found", message: "no such resource: /dashboard") }
            return await dashboard.route(request)
        case ("GET", _) where StationReportView.path(request.path) != nil:
            let (station, occasion) = StationReportView.path(request.path)!
            return await report(station: station, occasion: occasion)
        case (_, "/v1/envelopes"), (_, "/v1/stations"), (_, "/metrics"), (_, "/v1/regions"):
            return .error(405, code: "method-not-allowed", message: "\(request.method) is not allowed on \(request.path)")
        default:
            return .error(404, code: "not-found", message: "no such resource: \(request.path)")
        }
    }

    private func receive(_ body: [UInt8]) async -> ControlResponse {
        guard let batch = try? JSONDecoder().decode(EnvelopeBatch.self, from: Data(body)), !batch.envelopes.isEmpty else {
            return .error(400, code: "malformed", message: "the body must be {\"envelopes\": [...]} with at least one envelope")
        }
        let outcome = await receiver.receive(batch.envelopes, now: now())
        let answer = DeliveryAnswer(station: outcome.station, accepted: outcome.accepted, duplicates: outcome.duplicates,
                            error: outcome.refusal.map { .init(code: $0.code.rawValue, message: $0.message) },
                                    receivedUsec: now())
        return .json(answer, status: outcome.refusal?.status ?? 200)
    }

    private func stations() async -> ControlResponse {
        do {
            let reports = try await store.latestReports()
            return .json(StationList(stations: try await store.stations().map {
                StationView($0, reports: reports[$0.station] ?? [:], now: now(), liveness: liveness)
            }))
        } catch {
            return storageFailed(error)
        }
    }

    private func report(station: String, occasion: PollsReport.Occasion) async -> ControlResponse {
        do {
            // An id no registry could hold is not looked up (PostgreSQL refuses a NUL outright).
            guard RegistryRules.stationProblem(station) == nil, let enrolled = try await store.station(station),
                  let record = try await store.latestReports(of: enrolled)[occasion], let report = record.document else {
                return .error(404, code: "not-found", message: "central has no \(occasion.rawValue) report from "
                              + DeviceString(station).escaped(limit: 64))
            }
            return .json(StationReportView(record, report: report))
        } catch {
            return storageFailed(error)
        }
    }

    private func regions() async -> ControlResponse {
        do {
            return .json(RegionTally(try await store.stations().map { StationGlance($0, now: now(), liveness: liveness) }))
        } catch {
            return storageFailed(error)
        }
    }

    /// A database that cannot be read is a failed scrape (503), not a country without stations.
    private func metrics() async -> ControlResponse {
        do {
            let glances = try await store.stations().map { StationGlance($0, now: now(), liveness: liveness) }
            return .text(Array(CentralMetrics.render(glances, rejections: try await store.rejectionCounts()).utf8),
                         contentType: "text/plain; version=0.0.4; charset=utf-8")
        } catch {
            return storageFailed(error)
        }
    }
}

extension CentralRoutes {
    func storageFailed(_ error: any Error) -> ControlResponse {
        logger.error("a read failed: central's storage failed: \(error)")
        return .error(503, code: "storage", message: "central's storage is unavailable; ask again shortly")
    }
}

/// `GET /v1/stations`.
struct StationList: Encodable {
    var stations: [StationView]
}

/// One station as the central operator sees it.
struct StationView: Encodable {
    var station: String
    var region: String
    var district: String
    var name: String
    var state: StationState
    /// Central's clock when the last envelope arrived (ISO 8601), null if never.
    var lastSeen: String?
    /// Down or never seen: no heartbeat within the interval and the grace.
    var overdue: Bool
    var acceptedSeq: Int64
    var eventHead: Int64
    var phase: String?
    var openAlarms: [AlarmSummary]
    var counters: [CounterSummary]
    var finalReport: Bool
    /// The newest zero and closing reports (`GET /v1/stations/{station}/reports/{occasion}` has them whole).
    var zeroReport: ReportSummary?
    var closingReport: ReportSummary?
    /// The station's wall clock minus central's at the newest heartbeat's arrival, seconds
    /// (large values also mean a delivery delay: central judges freshness by its own clock).
    var clockOffsetSeconds: Double?
    /// Wall-clock jumps the station's heartbeats showed (realtime against monotonic).
    var clockJumps: Int

    init(_ record: StationRecord, reports: [PollsReport.Occasion: ReportRecord], now: Int64, liveness: Liveness) {
        let heartbeat = record.heartbeat.flatMap { try? JSONDecoder().decode(HeartbeatPayload.self, from: Data($0.utf8)) }
        let glance = StationGlance(record, heartbeat: heartbeat.map(HeartbeatGlance.init), now: now, liveness: liveness)
        station = record.station
        (region, district, name) = (record.region, record.district, record.name)
        lastSeen = glance.lastSeen
        acceptedSeq = record.acceptedSeq
        eventHead = record.eventSeq
        (phase, state, overdue) = (glance.phase, glance.state, glance.overdue)
        openAlarms = heartbeat?.alarms ?? []
        counters = heartbeat?.counters ?? []
        finalReport = glance.finalReport
        zeroReport = reports[.zero].flatMap(ReportSummary.init)
        closingReport = reports[.closing].flatMap(ReportSummary.init)
        clockOffsetSeconds = glance.clockOffsetSeconds
        clockJumps = record.clockJumps
    }
}
