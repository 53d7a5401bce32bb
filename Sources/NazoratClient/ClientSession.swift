import FoundationEssentials
import NazoratAPI
import NazoratCore
import NazoratLinux
import NIOCore
import NIOHTTP1

/// One nazoratctl command: sends a request, prints the answer (the API's JSON as is with
/// `--json`, a view for people otherwise) and says the exit status.
public struct ClientSession: Sendable {
    /// The client.
    public let client: ControlClient
    /// Print the API's JSON exactly as received.
    public let json: Bool
    /// How to print for people.
    public let terminal: Terminal

    /// A session on `socketPath`; the daemon has `answerTimeoutSeconds` to start each answer.
    public init(socketPath: String, json: Bool, environment: [String: String], answerTimeoutSeconds: Int64 = 5) {
        client = ControlClient(socketPath: socketPath, answerTimeout: .seconds(answerTimeoutSeconds))
        self.json = json
        terminal = Terminal(environment: environment)
    }

    /// The exit status when the daemon cannot be reached.
    public static let unreachable: Int32 = 2

    /// Sends the request, prints the answer with `render` and returns the exit status: the
    /// one `status` gives for a success (0 by default), 1 for an error answer, 2 when the
    /// daemon cannot be reached.
    public func run<Document: Decodable>(_ method: HTTPMethod, _ target: String, body: [UInt8]? = nil,
                                         as type: Document.Type, render: (Document) -> String,
                                         status: (Document) -> Int32 = { _ in 0 }) async -> Int32 {
        switch await fetch(method, target, body: body, as: type) {
        case .failure(let exit):
            return exit.status
        case .success(let (document, raw)):
            if json { Self.write(raw) } else { Self.write(Array((render(document) + "\n").utf8)) }
            return status(document)
        }
    }

    /// The exit status of a request that gave no document; why has been printed.
    public struct Exit: Error {
        public let status: Int32
    }

    /// Sends the request and decodes the answer, with its raw bytes; prints why when there is
    /// none (1 for an error answer or one this version does not understand, 2 when the daemon
    /// cannot be reached).
    public func fetch<Document: Decodable>(_ method: HTTPMethod, _ target: String, body: [UInt8]? = nil,
                                           as type: Document.Type) async -> Result<(Document, [UInt8]), Exit> {
        let response: ControlClient.Response
        do {
            response = try await client.request(method, target, body: body)
        } catch {
            Self.printError("nazoratctl: \(error)")
            return .failure(Exit(status: Self.unreachable))
        }
        guard (200..<300).contains(response.status) else {
            if json { Self.write(response.body) } else { Self.printError("nazoratctl: \(Self.errorMessage(response))") }
            return .failure(Exit(status: 1))
        }
        do {
            return .success((try JSONDecoder().decode(type, from: Data(response.body)), response.body))
        } catch {
            Self.printError("nazoratctl: nazoratd's answer is not what this nazoratctl expects (\(error))")
            return .failure(Exit(status: 1))
        }
    }

    /// Follows the event stream from `after`, printing each event as it comes; returns when
    /// the stream ends (1) or cannot start.
    public func follow(after: Int64) async -> Int32 {
        var status = 0
        do {
            try await client.streamLines("/v1/events?follow=true&after=\(after)") { code in
                status = code
            } onLine: { line in
                guard (200..<300).contains(status) else {
                    Self.printError("nazoratctl: \(Self.errorMessage(.init(status: status, body: line)))")
                    return
                }
                if json {
                    Self.write(line + [0x0A])
                } else if let event = try? JSONDecoder().decode(EventDocument.self, from: Data(line)) {
                    Self.write(Array((Views.event(event, on: terminal) + "\n").utf8))
                }
            }
        } catch {
            Self.printError("nazoratctl: \(error)")
            return Self.unreachable
        }
        return (200..<300).contains(status) ? 0 : 1
    }

    /// Writes the body of `GET target` to standard output as it arrives (an export); 1 when
    /// the answer is an error or when `isComplete` finds the body's last bytes cut short.
    public func download(_ target: String, what: String, isComplete: ([UInt8]) -> Bool) async -> Int32 {
        var status = 0
        var refusal: [UInt8] = []
        var tail: [UInt8] = []
        do {
            try await client.stream(target) { code in
                status = code
            } onBody: { bytes in
                guard (200..<300).contains(status) else {
                    refusal += bytes
                    return
                }
                StandardStream.output.write(bytes)
                tail = Array((tail + bytes).suffix(16))
            }
        } catch {
            Self.printError("nazoratctl: \(error)")
            return Self.unreachable
        }
        guard (200..<300).contains(status) else {
            Self.printError("nazoratctl: \(Self.errorMessage(.init(status: status, body: refusal)))")
            return 1
        }
        guard isComplete(tail) else {
            Self.printError("nazoratctl: the \(what) was cut short: nazoratd could not read the rest; run it again, "
                            + "and nazoratctl verify-log if it fails again")
            return 1
        }
        return 0
    }

    static func errorMessage(_ response: ControlClient.Response) -> String {
        if let error = try? JSONDecoder().decode(ErrorDocument.self, from: Data(response.body)) {
            return "\(Terminal.safe(error.error.message)) (\(response.status) \(error.error.code))"
        }
        return "nazoratd answered \(response.status)"
    }

    /// Writes `bytes` (and a final newline if missing) to standard output, unbuffered, so
    /// that a followed event shows at once even through a pipe.
    static func write(_ bytes: [UInt8], to stream: StandardStream = .output) {
        var bytes = bytes
        if bytes.last != 0x0A { bytes.append(0x0A) }
        stream.write(bytes)
    }

    /// Writes `message` and a newline to standard error.
    public static func printError(_ message: String) {
        write(Array(message.utf8), to: .error)
    }
}
