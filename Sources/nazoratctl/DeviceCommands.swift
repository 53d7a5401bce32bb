import ArgumentParser
import FoundationEssentials
import NazoratAPI
import NazoratClient

// devices, seal, allow, block and policy: commissioning.

struct Devices: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the USB devices present, or show one.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "A port (e.g. 1-1.2) to show in full.")
    var port: String?

    func run() async throws {
        if let port {
            try await options.show("/v1/devices/\(PathSegment.encode(port))", as: DeviceDocument.self, view: Views.device)
        }
        try await options.show("/v1/devices", as: DeviceList.self, view: Views.devices)
    }
}

struct Seal: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Seal the devices present now as the station's commissioned equipment (nazorat-admin).")
    @OptionGroup var options: ClientOptions

    func run() async throws {
        try finish(await options.session.run(.POST, "/v1/seal", as: SealDocument.self, render: { seal in
            "sealed \(seal.sealed.count) devices" + (seal.seq.map { " at seq \($0) (signed checkpoint)" } ?? "") + ":\n"
                + seal.sealed.map { "  \(Terminal.safe($0.port))  \($0.id)  \($0.role)" }.joined(separator: "\n")
        }))
    }
}

/// `allow` and `block`.
struct DecisionOptions: ParsableArguments {
    @Argument(help: "The device's port (nazoratctl devices).")
    var port: String
    @Flag(help: "Also add a rule for this device to the policy file, so that the decision survives a restart.")
    var permanent = false

    func run(_ verb: String, _ options: ClientOptions) async throws -> Never {
        let body = try JSONEncoder().encode(DecisionRequest(permanent: permanent))
        try finish(await options.session.run(.POST, "/v1/devices/\(PathSegment.encode(port))/\(verb)", body: Array(body),
                                             as: DecisionDocument.self) { decision in
            "\(Terminal.safe(decision.port)): \(decision.target) "
                + (decision.applied ? "applied" : "recorded only (monitor mode)")
                + (decision.rule.map { "\nrule added to the policy: \(Terminal.safe($0))" } ?? "")
        })
    }
}

struct Allow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Authorize a device now (nazorat-admin).")
    @OptionGroup var options: ClientOptions
    @OptionGroup var decision: DecisionOptions

    func run() async throws { try await decision.run("allow", options) }
}

struct Block: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Deauthorize a device now (nazorat-admin).")
    @OptionGroup var options: ClientOptions
    @OptionGroup var decision: DecisionOptions

    func run() async throws { try await decision.run("block", options) }
}

struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Show the policy in force, or (generate) rules for the devices present now.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "generate: print a rule file allowing the devices present now.")
    var action: Action?

    enum Action: String, ExpressibleByArgument, CaseIterable {
        case generate
    }

    func run() async throws {
        if action == .generate {
            try finish(await options.session.run(.GET, "/v1/policy/generate", as: TextDocument.self,
                                                 render: { Terminal.safe($0.text, keepingLines: true) }))
        }
        try finish(await options.session.run(.GET, "/v1/policy", as: PolicyDocument.self) { policy in
            "# \(policy.path): \(policy.rules) rules, implicit \(policy.implicit), \(policy.mode) mode\n"
                + Terminal.safe(policy.text, keepingLines: true)
        })
    }
}
