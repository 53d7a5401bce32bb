import NazoratCore

/// `GET /v1/status`: the station at a glance (docs/openapi.yaml, schema Status).
public struct StatusDocument: Codable, Sendable, Equatable {
    /// One open (or acknowledged, not yet cleared) alarm.
    public struct AlarmEntry: Codable, Sendable, Equatable {
        /// The alarm's id (for `POST /v1/alarms/{id}/ack`).
        public var id: Int64
        /// The alarm kind, e.g. `device.unexpected`.
        public var kind: String
        /// `info` ... `critical`.
        public var severity: String
        /// The port (or subject, e.g. `state`) it concerns.
        public var port: String
        /// `raised` or `acknowledged`.
        public var state: String

        public init(id: Int64, kind: String, severity: String, port: String, state: String) {
            self.id = id
            self.kind = kind
            self.severity = severity
            self.port = port
            self.state = state
        }
    }

    /// Whether event-log writes work.
    public struct Storage: Codable, Sendable, Equatable {
        /// `ok` or `failing`.
        public var state: String
        /// Why writes fail, when they do.
        public var reason: String?

        public init(state: String, reason: String?) {
            self.state = state
            self.reason = reason
        }
    }

    /// The uplink to central monitoring.
    public struct Uplink: Codable, Sendable, Equatable {
        /// The outbox's size and position.
        public struct Outbox: Codable, Sendable, Equatable {
            public var envelopes: Int
            public var bytes: Int
            public var firstSeq: Int64?
            public var lastSeq: Int64?
            public var acknowledgedThrough: Int64

            public init(envelopes: Int, bytes: Int, firstSeq: Int64?, lastSeq: Int64?, acknowledgedThrough: Int64) {
                self.envelopes = envelopes
                self.bytes = bytes
                self.firstSeq = firstSeq
                self.lastSeq = lastSeq
                self.acknowledgedThrough = acknowledgedThrough
            }
        }

        /// `not-configured` (no [uplink] table), `pending` (envelopes wait for central's
        /// acknowledgement) or `delivered` (the outbox is empty).
        public var state: String
        /// The outbox, when configured.
        public var outbox: Outbox?

        public init(state: String, outbox: Outbox?) {
            self.state = state
            self.outbox = outbox
        }
    }

    /// The station id.
    public var station: String
    /// `setup`, `open` or `closed`.
    public var phase: String
    /// `monitor` or `enforce`.
    public var mode: String
    /// Seconds since the daemon started.
    public var uptime: Double
    /// The daemon's version.
    public var version: String
    /// Device counts.
    public var devices: DeviceCounts
    /// The alarms not yet cleared.
    public var alarms: [AlarmEntry]
    /// The log head; null before the first event.
    public var log: LogHead?
    /// Storage health.
    public var storage: Storage
    /// The uplink's state.
    public var uplink: Uplink
    /// The ballot scanners' counters (ballot counts only while the polls are open).
    public var counters: [CounterSummary]
    /// The one-line summary systemd shows as the service's status.
    public var summary: String

    public init(station: String, phase: String, mode: String, uptime: Double, version: String, devices: DeviceCounts,
                alarms: [AlarmEntry], log: LogHead?, storage: Storage, uplink: Uplink,
                counters: [CounterSummary], summary: String) {
        self.station = station
        self.phase = phase
        self.mode = mode
        self.uptime = uptime
        self.version = version
        self.devices = devices
        self.alarms = alarms
        self.log = log
        self.storage = storage
        self.uplink = uplink
        self.counters = counters
        self.summary = summary
    }
}
