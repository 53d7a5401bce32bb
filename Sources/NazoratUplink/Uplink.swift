import FoundationEssentials
import Logging
import NazoratAPI
import NazoratClient
import NazoratConfiguration
import NazoratCore
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// nazorat-uplink: takes signed envelopes from nazoratd's outbox (over the control socket,
/// as user nazorat-uplink), delivers them to central in seq order, and acknowledges to
/// nazoratd what central accepted. It holds no key and keeps no state: after a restart
/// (its own or nazoratd's) it starts again from what the outbox still holds.
public struct Uplink: Service {
    let settings: UplinkSettings
    let control: ControlClient
    let logger: Logger
    /// Envelopes per POST to central.
    static let batch = 100
    /// Seconds nazoratd holds an outbox request open while the outbox is empty (long poll).
    static let outboxWait: Int64 = 30

    public init(settings: UplinkSettings, socketPath: String, logger: Logger) {
        self.settings = settings
        // The answer to a long poll starts only when an envelope is there, so the client's
        // answer timeout is the poll's length and a margin (the 5 s default of nazoratctl
        // would cut every idle poll off).
        control = ControlClient(socketPath: socketPath, answerTimeout: .seconds(2 * Self.outboxWait))
        self.logger = logger
    }

    public func run() async throws {
        guard let address = settings.central else {
            throw UplinkConfigurationError(description: "[uplink] url: \(settings.envelopesURL) is not an https:// address")
        }
        let client = try CentralClient(address: address, settings: settings)
        switch await EndpointProbe.check(client: client) {
        case .receiver:
            logger.info("central's receiver answers at \(settings.envelopesURL)")
        case .noReceiver(let status):
            await client.close()
            throw UplinkConfigurationError(description: "[uplink] url: there is no Nazorat receiver at "
                + "\(settings.envelopesURL) (central answered \(status)); set url to central's address, "
                + "e.g. https://central.example or https://central.example/v1/envelopes")
        case .undecided(let reason):
            logger.warning("central could not be checked at \(settings.envelopesURL) (\(reason)); delivering anyway")
        }
        var backoff = Backoff()
        while !Task.isShuttingDownGracefully {
            do {
                try await deliverOnce(client)
                backoff.reset()
            } catch let problem as DeliveryProblem {
                logger.warning("delivery: \(problem); retrying in about \(backoff.next)")
                do { try await backoff.wait() } catch { break }
            } catch {
                break  // cancelled: shutting down
            }
        }
        await client.close()
    }

    /// One round: the oldest waiting envelopes to central, then central's answer back.
    func deliverOnce(_ client: CentralClient) async throws {
        let outbox = try await fetch()
        guard let first = outbox.envelopes.first, let last = outbox.envelopes.last else { return }
        let sent = Self.wallClockUsec()
        let answer = try await post(outbox.envelopes.map(\.envelope), client: client)
        let clock = answer.receivedUsec.map {
            CentralClock.measure(sentUsec: sent, answeredUsec: Self.wallClockUsec(), centralUsec: $0)
        }
        guard let accepted = answer.accepted else {
            throw DeliveryProblem.refused(answer.error?.message ?? "central accepted nothing")
        }
        // What central has, up to what was sent, leaves the outbox.
        let through = min(accepted, last.seq)
        if through >= first.seq { try await acknowledge(through: through, clock: clock) }
        if let error = answer.error {
            if through < first.seq - 1 {
                logger.critical("central has only up to seq \(accepted), but the outbox starts at \(first.seq): \(error.message)")
            }
            throw DeliveryProblem.refused("\(error.code): \(error.message)")
        }
        logger.info("delivered seq \(first.seq)...\(through) to central")
    }

    private func fetch() async throws -> OutboxDocument {
        let response: ControlClient.Response
        do {
            response = try await control.request(.GET, "/v1/outbox?limit=\(Self.batch)&wait=\(Self.outboxWait)")
        } catch {
            throw DeliveryProblem.nazoratd("\(error)")
        }
        guard response.status == 200,
              let document = try? JSONDecoder().decode(OutboxDocument.self, from: Data(response.body)) else {
            throw DeliveryProblem.nazoratd("the outbox answered \(response.status)")
        }
        return document
    }

    private func post(_ envelopes: [Envelope], client: CentralClient) async throws -> DeliveryAnswer {
        let answer: CentralClient.Answer
        do {
            answer = try await client.send(.POST, body: Array(JSONText.encode(EnvelopeBatch(envelopes: envelopes)).utf8),
                                           timeout: .seconds(30), limit: 1 << 20)
        } catch {
            throw DeliveryProblem.central("\(error)")
        }
        guard let decoded = try? JSONDecoder().decode(DeliveryAnswer.self, from: Data(answer.body)) else {
            throw DeliveryProblem.central("answered \(answer.status) with no Nazorat answer")
        }
        return decoded
    }

    /// The station's wall clock, µs since the epoch (nazoratd reads the same clock).
    private static func wallClockUsec() -> Int64 { Int64(Date().timeIntervalSince1970 * 1_000_000) }

    private func acknowledge(through seq: Int64, clock: CentralClock?) async throws {
        let body = Array(JSONText.encode(OutboxAcknowledgement(through: seq, clock: clock)).utf8)
        let response: ControlClient.Response
        do {
            response = try await control.request(.POST, "/v1/outbox/ack", body: body)
        } catch {
            throw DeliveryProblem.nazoratd("\(error)")
        }
        guard response.status == 200 else { throw DeliveryProblem.nazoratd("the acknowledgement answered \(response.status)") }
    }
}

/// Why a round failed; every one is retried.
enum DeliveryProblem: Error, CustomStringConvertible {
    case nazoratd(String)
    case central(String)
    case refused(String)

    var description: String {
        switch self {
        case .nazoratd(let reason): "nazoratd: \(reason)"
        case .central(let reason): "central: \(reason)"
        case .refused(let reason): "central refused: \(reason)"
        }
    }
}

/// Exponential backoff with full jitter: the n-th wait is random in [0, min(cap, base·2ⁿ)],
/// so that 11,000 stations coming back after an outage do not hit central in step.
struct Backoff {
    static let base = Duration.milliseconds(250)
    static let cap = Duration.seconds(60)
    private var attempt = 0

    /// The upper bound of the next wait.
    var next: Duration { min(Self.cap, Self.base * (1 << min(attempt, 20))) }

    mutating func reset() { attempt = 0 }

    mutating func wait() async throws {
        let bound = next
        attempt += 1
        let milliseconds = Int64.random(in: 0...max(1, Int64(bound.components.seconds * 1000
            + bound.components.attoseconds / 1_000_000_000_000_000)))
        try await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(milliseconds)) }
    }
}
