/// A rule of USBGuard's rule language, as Nazorat loads it (see ``RuleParser``).
public struct Rule: Sendable, Equatable {
    /// What happens to a matching device.
    public enum Target: String, Sendable, CaseIterable, Codable {
        /// Authorize the device.
        case allow
        /// Deauthorize it; it stays blocked until authorized.
        case block
        /// Deauthorize it and remove it from the system.
        case reject
    }

    /// How a rule's set of values is compared with a device's set (USBGuard's meaning).
    public enum SetOperator: String, Sendable, CaseIterable {
        /// The device set contains every rule value.
        case allOf = "all-of"
        /// The device set contains at least one rule value.
        case oneOf = "one-of"
        /// The device set contains none of the rule values.
        case noneOf = "none-of"
        /// Same number of values, and every rule value is in the device set (the default).
        case equals
        /// The same values in the same order.
        case equalsOrdered = "equals-ordered"
        /// Every device value is matched by a rule value (the device set is a subset).
        case matchAll = "match-all"
    }

    /// A `vendor:product` pattern; `nil` stands for `*`.
    public struct DeviceIDPattern: Sendable, Equatable, CustomStringConvertible {
        /// The vendor id, or nil for `*`.
        public var vendor: UInt16?
        /// The product id, or nil for `*`.
        public var product: UInt16?

        public var description: String {
            (vendor.map(Hex.word) ?? "*") + ":" + (product.map(Hex.word) ?? "*")
        }
    }

    /// A `cc:ss:pp` pattern; `nil` stands for `*` (subclass `*` implies protocol `*`).
    public struct InterfacePattern: Sendable, Equatable, CustomStringConvertible {
        /// The class.
        public var classCode: UInt8
        /// The subclass, or nil for `*`.
        public var subclass: UInt8?
        /// The protocol, or nil for `*`.
        public var `protocol`: UInt8?

        /// The pattern `cc:ss:pp`, with nil for `*`.
        public init(classCode: UInt8, subclass: UInt8? = nil, protocol: UInt8? = nil) {
            self.classCode = classCode
            self.subclass = subclass
            self.protocol = `protocol`
        }

        /// Why a text is not an interface pattern.
        public enum ParseError: Error, Sendable {
            /// Not `cc:ss:pp`, `cc:ss:*` or `cc:*:*` in hex.
            case malformed
            /// `cc:*:pp`: USBGuard does not match a class and a protocol alone.
            case protocolWithoutSubclass
        }

        /// Parses `cc:ss:pp`, `cc:ss:*` or `cc:*:*` (hex), as USBGuard's `with-interface` takes it.
        public static func parse(_ text: String) throws(ParseError) -> InterfacePattern {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0].count == 2, let classCode = UInt8(parts[0], radix: 16) else {
                throw .malformed
            }
            func byte(_ part: Substring) -> (ok: Bool, value: UInt8?) {
                if part == "*" { return (true, nil) }
                guard part.count == 2, let value = UInt8(part, radix: 16) else { return (false, nil) }
                return (true, value)
            }
            let subclass = byte(parts[1]), proto = byte(parts[2])
            guard subclass.ok, proto.ok else { throw .malformed }
            guard !(subclass.value == nil && proto.value != nil) else { throw .protocolWithoutSubclass }
            return InterfacePattern(classCode: classCode, subclass: subclass.value, protocol: proto.value)
        }

        public var description: String {
            Hex.byte(classCode) + ":" + (subclass.map(Hex.byte) ?? "*") + ":" + (`protocol`.map(Hex.byte) ?? "*")
        }

        /// Whether this pattern covers `interface`.
        public func matches(_ interface: InterfaceType) -> Bool {
            classCode == interface.classCode && (subclass ?? interface.subclass) == interface.subclass
                && (`protocol` ?? interface.protocol) == interface.protocol
        }
    }

    /// An attribute with its operator and values.
    public struct Attribute<Value: Sendable & Equatable>: Sendable, Equatable {
        /// How the values are compared.
        public var setOperator: SetOperator
        /// The values, in rule order.
        public var values: [Value]
    }

    /// A condition term: `[!]name[(parameter)]`.
    public struct ConditionTerm: Sendable, Equatable {
        /// Whether it is negated with `!`.
        public var negated: Bool
        /// The evaluated condition.
        public var condition: Condition
    }

    /// The conditions Nazorat evaluates (the others are refused when the rule is loaded).
    public enum Condition: Sendable, Equatable {
        /// Always true.
        case `true`
        /// Always false.
        case `false`
        /// True when the local time of day (seconds since midnight) is within the range, inclusive.
        case localtime(from: Int, to: Int)
    }

    /// The rule's `if` part: an operator over terms (a single term uses `all-of`).
    public struct Conditions: Sendable, Equatable {
        /// all-of, one-of or none-of (equals and equals-ordered mean all-of, as in USBGuard).
        public var setOperator: SetOperator
        /// The terms.
        public var terms: [ConditionTerm]
    }

    /// The target.
    public var target: Target
    /// `id` (or the bare device id after the target).
    public var id: Attribute<DeviceIDPattern>?
    /// `hash`.
    public var hash: Attribute<DeviceString>?
    /// `parent-hash`.
    public var parentHash: Attribute<DeviceString>?
    /// `name` (the product string).
    public var name: Attribute<DeviceString>?
    /// `serial`.
    public var serial: Attribute<DeviceString>?
    /// `via-port`.
    public var viaPort: Attribute<DeviceString>?
    /// `with-interface`.
    public var withInterface: Attribute<InterfacePattern>?
    /// `with-connect-type`.
    public var withConnectType: Attribute<DeviceString>?
    /// `label`: not used for matching; Nazorat reads roles from it (`role=ballot-scanner`).
    public var label: Attribute<DeviceString>?
    /// The `if` part, if any.
    public var conditions: Conditions?
    /// Where the rule is (1-based line of its file), for decisions and errors.
    public var line: Int

    /// A rule that matches every device.
    public init(target: Target, line: Int = 0) {
        self.target = target
        self.line = line
    }
}
