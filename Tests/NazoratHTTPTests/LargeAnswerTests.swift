import Foundation
import Logging
import NazoratClient
@testable import NazoratHTTP
import Testing

/// The control server on a real Unix socket, with answers far larger than the socket's buffer.
@Suite struct LargeAnswerTests {
    /// Serves `body` to every request at a fresh socket path while `use` runs.
    private func serving(_ body: [UInt8], _ use: (String) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nazorat-large-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("control.sock").path
        let server = try await ControlServer.bind(.path(path), router: { _ in ControlResponse(status: 200, body: body) },
                                                  logger: Logger(label: "test"))
        let running = Task { try await server.run() }
        defer { running.cancel() }
        try await use(path)
    }

    /// Regression (make vm-test, "the uplink delivers to central"): the server closed the
    /// connection as soon as it had handed the answer to the socket, and the close dropped what
    /// the socket had not sent yet. The uplink's 100 envelopes lost their end ("stream ended at an
    /// unexpected time") for minutes, until the outbox held fewer.
    @Test func anAnswerLargerThanTheSocketBufferArrivesWhole() async throws {
        let body = (0..<(8 << 20)).map { UInt8(truncatingIfNeeded: $0 % 251) }
        try await serving(body) { path in
            let client = ControlClient(socketPath: path)
            for round in 1...3 {
                let response = try await client.request(.GET, "/v1/outbox?limit=100")
                #expect(response.status == 200)
                #expect(response.body.count == body.count, "round \(round): \(response.body.count) of \(body.count) bytes")
                #expect(response.body == body, "round \(round)")
            }
        }
    }
}
