extension Rule.SetOperator {
    /// USBGuard's meaning of the operator, with `matches(ruleValue, deviceValue)` (patterns on the left).
    func solve<Pattern, Values: Collection>(rule: [Pattern], device: Values,
                                            _ matches: (Pattern, Values.Element) -> Bool) -> Bool {
        func inDevice(_ pattern: Pattern) -> Bool { device.contains { matches(pattern, $0) } }
        return switch self {
        case .allOf: rule.allSatisfy(inDevice)
        case .oneOf: rule.contains(where: inDevice)
        case .noneOf: !rule.contains(where: inDevice)
        case .equals: rule.count == device.count && rule.allSatisfy(inDevice)
        case .equalsOrdered: rule.count == device.count && zip(rule, device).allSatisfy(matches)
        case .matchAll: device.allSatisfy { value in rule.contains { matches($0, value) } }
        }
    }
}

extension Rule.Attribute {
    func matches<DeviceValues: Collection>(_ device: DeviceValues, _ match: (Value, DeviceValues.Element) -> Bool) -> Bool {
        setOperator.solve(rule: values, device: device, match)
    }
}

extension Rule {
    /// Whether the rule's attributes match `device` and its conditions hold at `secondsOfDay`
    /// (local time of day). An attribute the rule does not name matches every device.
    /// A single device value is a `CollectionOfOne`, not an array: the policy is asked about
    /// every device at every `GET /v1/devices`, and an array per attribute (with a copy of the
    /// device for its id) was most of that cost.
    public func matches(_ device: USBDevice, secondsOfDay: Int) -> Bool {
        let text = { (string: DeviceString?) in CollectionOfOne(string ?? DeviceString(bytes: [])) }
        let same = { (a: DeviceString, b: DeviceString) in a.bytes == b.bytes }
        guard id?.matches(CollectionOfOne((device.vendorID, device.productID)), { pattern, ids in
            pattern.vendor.map { $0 == ids.0 } ?? true && pattern.product.map { $0 == ids.1 } ?? true
        }) ?? true else { return false }
        guard hash?.matches(text(device.hash.map(DeviceString.init)), same) ?? true,
              parentHash?.matches(text(device.parentHash.map(DeviceString.init)), same) ?? true,
              name?.matches(text(device.product), same) ?? true,
              serial?.matches(text(device.serial), same) ?? true,
              viaPort?.matches(CollectionOfOne(DeviceString(device.port)), same) ?? true,
              withConnectType?.matches(CollectionOfOne(DeviceString(device.connectType?.rawValue ?? "")), same) ?? true,
              withInterface?.matches(device.interfaces, { $0.matches($1) }) ?? true
        else { return false }
        return conditions?.hold(secondsOfDay: secondsOfDay) ?? true
    }
}

extension Rule.Conditions {
    /// Whether the conditions hold (equals and equals-ordered mean all-of, as in USBGuard).
    func hold(secondsOfDay: Int) -> Bool {
        let results = terms.map { $0.negated != $0.condition.holds(secondsOfDay: secondsOfDay) }
        return switch setOperator {
        case .oneOf: results.contains(true)
        case .noneOf: !results.contains(true)
        case .allOf, .equals, .equalsOrdered, .matchAll: !results.contains(false)
        }
    }
}

extension Rule.Condition {
    func holds(secondsOfDay: Int) -> Bool {
        switch self {
        case .true: true
        case .false: false
        case .localtime(let from, let to): from <= secondsOfDay && secondsOfDay <= to
        }
    }
}

/// An ordered rule set: the first matching rule decides, the implicit target otherwise.
public struct Policy: Sendable, Equatable {
    /// The rules in file order.
    public var rules: [Rule]
    /// The target when no rule matches.
    public var implicit: Rule.Target

    /// A policy of `rules` falling back to `implicit`.
    public init(rules: [Rule], implicit: Rule.Target) {
        self.rules = rules
        self.implicit = implicit
    }

    /// What the policy says about a device.
    public struct Decision: Sendable, Equatable {
        /// The target applied.
        public var target: Rule.Target
        /// The line of the rule that matched, or nil for the implicit target.
        public var ruleLine: Int?
        /// The device's role: the matching rule's label (`role=...`), else what the udev
        /// hint or the interfaces say (``Role/guess(for:)``). The one place a role is resolved.
        public var role: Role
    }

    /// Decides `device` at `secondsOfDay` (local time of day, for `localtime` conditions).
    public func decide(_ device: USBDevice, secondsOfDay: Int) -> Decision {
        // By index: `for rule in rules` copies each rule (a retain per attribute) per device.
        for index in rules.indices where rules[index].matches(device, secondsOfDay: secondsOfDay) {
            return Decision(target: rules[index].target, ruleLine: rules[index].line,
                            role: rules[index].role ?? Role.guess(for: device))
        }
        return Decision(target: implicit, ruleLine: nil, role: Role.guess(for: device))
    }
}
