import FoundationEssentials
import NazoratAPI
import NazoratCore
import NazoratHTTP

/// The open alarms and their acknowledgement.
extension ControlRoutes {
    static let alarmRoutes: [Route] = [
        Route("GET", "/v1/alarms", .read) { routes, _ in routes.alarms() },
        Route("POST", "/v1/alarms/{id}/ack", .acknowledgeAlarms) { routes, call in await routes.acknowledge(call) },
    ]

    func alarms() -> ControlResponse {
        do {
            return .json(AlarmList(alarms: try store.openAlarmRecords().map { AlarmDocument(id: $0.id, alarm: $0.alarm) }))
        } catch {
            return Self.storage("the alarms cannot be read", error)
        }
    }

    func acknowledge(_ call: RouteCall) async -> ControlResponse {
        guard let alarmID = Int64(call.parameter), alarmID > 0 else {
            return .error(400, code: "bad-parameter", message: "an alarm id is a positive integer")
        }
        let body: AcknowledgeRequest
        switch Self.decode(AcknowledgeRequest.self, call.request.body) {
        case .success(let decoded): body = decoded
        case .failure(let error): return error.response
        }
        let typed = body.note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...500).contains(typed.count) else {
            return .error(400, code: "bad-note", message: "a note of 1 to 500 characters is required")
        }
        // Recorded escaped, like a device's strings: a control character or a bidirectional
        // override in a note must not reach the journal, a terminal or an export raw.
        let note = DeviceString(typed).escaped(limit: 2000)
        do {
            let alarm = try await supervisor.acknowledge(alarm: alarmID, note: note, by: call.request.peer)
            return .json(AlarmDocument(id: alarmID, alarm: alarm))
        } catch {
            return error.response
        }
    }
}
