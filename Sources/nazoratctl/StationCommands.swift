import ArgumentParser
import FoundationEssentials
import NazoratAPI
import NazoratClient

// status, alarms and ack: what a technician looks at every day.

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the station at a glance.",
        discussion: "Exit status: 0 healthy, 1 alarms are open, 2 a critical alarm is open, storage fails, or nazoratd cannot be reached.")
    @OptionGroup var options: ClientOptions

    func run() async throws {
        try await options.show("/v1/status", as: StatusDocument.self, view: Views.status, status: Views.exitStatus)
    }
}

struct Alarms: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the open alarms.")
    @OptionGroup var options: ClientOptions

    func run() async throws {
        try await options.show("/v1/alarms", as: AlarmList.self, view: Views.alarms)
    }
}

struct Ack: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Acknowledge an alarm: you saw it and say what you did. It stays open until its cause ends.")
    @OptionGroup var options: ClientOptions
    @Argument(help: "The alarm id (nazoratctl alarms).")
    var id: Int64
    @Option(help: "What you saw or did (1 to 500 characters); it goes into the log with your user.")
    var note: String

    func run() async throws {
        let session = options.session
        let body = try JSONEncoder().encode(AcknowledgeRequest(note: note))
        try finish(await session.run(.POST, "/v1/alarms/\(id)/ack", body: Array(body), as: AlarmDocument.self,
                                     render: { "alarm \($0.id) (\($0.kind) at \(Terminal.safe($0.port))) acknowledged" }))
    }
}
