import NazoratCore

// The bodies of the control API (docs/openapi.yaml), shared by the daemon, which encodes
// them, and nazoratctl, which decodes them.

/// A device as the API shows it: its JSON form, its role and whether it is sealed equipment.
public struct DeviceDocument: Codable, Sendable, Equatable {
    /// The device's attributes (escaped strings, hex ids).
    public var device: DeviceJSON
    /// The role: from the policy's label, the udev hint, or the interface classes.
    public var role: String
    /// What the policy decides for it now: `allow`, `block` or `reject`.
    public var decision: String
    /// Whether it stands for a sealed item (same port, id and hash); null before a seal.
    public var sealed: Bool?
    /// The interfaces the interface policy cuts (in monitor mode: would cut), by name.
    public var cutInterfaces: [CutInterface]

    /// An interface the interface policy cuts.
    public struct CutInterface: Codable, Sendable, Equatable {
        /// The kernel's name, e.g. `1-3:1.1`.
        public var name: String
        /// `cc:ss:pp`.
        public var type: String
        /// The entry that cut it (`file:line`, or the shipped policy).
        public var by: String

        public init(name: String, type: String, by: String) {
            self.name = name
            self.type = type
            self.by = by
        }
    }

    public init(device: DeviceJSON, role: String, decision: String, sealed: Bool?, cutInterfaces: [CutInterface] = []) {
        self.device = device
        self.role = role
        self.decision = decision
        self.sealed = sealed
        self.cutInterfaces = cutInterfaces
    }
}

/// `GET /v1/devices`.
public struct DeviceList: Codable, Sendable, Equatable {
    public var devices: [DeviceDocument]

    public init(devices: [DeviceDocument]) {
        self.devices = devices
    }
}

/// An alarm with its id.
public struct AlarmDocument: Codable, Sendable, Equatable {
    public var id: Int64
    public var kind: String
    public var severity: String
    /// The port (or subject, e.g. `state`) it concerns.
    public var port: String
    /// `raised` or `acknowledged`.
    public var state: String
    public var detail: String
    public var acknowledgedBy: String?
    public var note: String?

    public init(id: Int64, alarm: Alarm) {
        self.id = id
        kind = alarm.kind.rawValue
        severity = alarm.severity.rawValue
        port = alarm.subject
        state = alarm.state.rawValue
        detail = alarm.detail
        acknowledgedBy = alarm.acknowledgedBy
        note = alarm.note
    }
}

/// `GET /v1/alarms`.
public struct AlarmList: Codable, Sendable, Equatable {
    public var alarms: [AlarmDocument]

    public init(alarms: [AlarmDocument]) {
        self.alarms = alarms
    }
}

/// `POST /v1/alarms/{id}/ack`'s body.
public struct AcknowledgeRequest: Codable, Sendable, Equatable {
    /// Why the alarm is acknowledged; 1 to 500 characters.
    public var note: String

    public init(note: String) {
        self.note = note
    }
}

/// `POST /v1/devices/{port}/allow` and `/block`'s optional body.
public struct DecisionRequest: Codable, Sendable, Equatable {
    /// Also add a rule for this device to the policy file.
    public var permanent: Bool?

    public init(permanent: Bool?) {
        self.permanent = permanent
    }

    /// `permanent` may be left out, but a null is not a boolean and is refused.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        permanent = container.contains(.permanent) ? try container.decode(Bool.self, forKey: .permanent) : nil
    }
}

/// The answer to an allow or block.
public struct DecisionDocument: Codable, Sendable, Equatable {
    public var port: String
    /// `allow` or `block`.
    public var target: String
    /// Whether sysfs was written (enforce mode) or the decision only recorded (monitor mode).
    public var applied: Bool
    /// The rule added to the policy, for a permanent decision.
    public var rule: String?

    public init(port: String, target: String, applied: Bool, rule: String?) {
        self.port = port
        self.target = target
        self.applied = applied
        self.rule = rule
    }
}

/// An event of the log.
public struct EventDocument: Codable, Sendable, Equatable {
    public var seq: Int64
    /// Wall-clock time, ISO 8601 UTC with microseconds.
    public var time: String
    public var monotonicUsec: Int64
    public var bootId: String
    public var type: String
    public var severity: String
    public var subject: String
    public var message: String
    public var payload: JSONValue
    public var prevHash: String
    public var hash: String

    public init(seq: Int64, time: String, monotonicUsec: Int64, bootId: String, type: String, severity: String,
                subject: String, message: String, payload: JSONValue, prevHash: String, hash: String) {
        self.seq = seq
        self.time = time
        self.monotonicUsec = monotonicUsec
        self.bootId = bootId
        self.type = type
        self.severity = severity
        self.subject = subject
        self.message = message
        self.payload = payload
        self.prevHash = prevHash
        self.hash = hash
    }
}

/// `GET /v1/events`.
public struct EventList: Codable, Sendable, Equatable {
    public var events: [EventDocument]

    public init(events: [EventDocument]) {
        self.events = events
    }
}

/// `POST /v1/seal`'s answer.
public struct SealDocument: Codable, Sendable, Equatable {
    /// One sealed device.
    public struct Item: Codable, Sendable, Equatable {
        public var port: String
        public var id: String
        public var role: String

        public init(port: String, id: String, role: String) {
            self.port = port
            self.id = id
            self.role = role
        }
    }

    public var sealed: [Item]
    /// The log's head after the seal (a signed checkpoint covers it).
    public var seq: Int64?

    public init(sealed: [Item], seq: Int64?) {
        self.sealed = sealed
        self.seq = seq
    }
}

/// `GET /v1/policy`.
public struct PolicyDocument: Codable, Sendable, Equatable {
    /// The rule file.
    public var path: String
    public var mode: String
    public var implicit: String
    /// How many rules the daemon has in force.
    public var rules: Int
    /// The rule file's text as it is on disk now.
    public var text: String

    public init(path: String, mode: String, implicit: String, rules: Int, text: String) {
        self.path = path
        self.mode = mode
        self.implicit = implicit
        self.rules = rules
        self.text = text
    }
}

/// A text answer (`GET /v1/policy/generate`).
public struct TextDocument: Codable, Sendable, Equatable {
    public var text: String

    public init(text: String) {
        self.text = text
    }
}

/// `GET /v1/key`.
public struct KeyDocument: Codable, Sendable, Equatable {
    /// The station's Ed25519 public key, base64.
    public var publicKey: String

    public init(publicKey: String) {
        self.publicKey = publicKey
    }
}

/// `GET /v1/log/verify`.
public struct VerificationDocument: Codable, Sendable, Equatable {
    /// Whether the chain and every checkpoint verify.
    public var ok: Bool
    /// The one-line result, as `nazoratd verify-log` prints it.
    public var message: String

    public init(ok: Bool, message: String) {
        self.ok = ok
        self.message = message
    }
}
