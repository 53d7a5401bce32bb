import FoundationEssentials
import NazoratAPI
import NazoratHTTP

/// An error answer, carried through `Result`.
struct ControlResponseError: Error {
    let response: ControlResponse

    init(_ response: ControlResponse) {
        self.response = response
    }
}

extension ControlRoutes {
    /// Decodes a JSON body; an empty body is `empty` when that is allowed.
    static func decode<Body: Decodable>(_ type: Body.Type, _ bytes: [UInt8],
                                        empty: Body? = nil) -> Result<Body, ControlResponseError> {
        if bytes.isEmpty, let empty { return .success(empty) }
        do {
            return .success(try JSONDecoder().decode(type, from: Data(bytes)))
        } catch {
            return .failure(ControlResponseError(.error(
                400, code: "bad-json", message: "the body is not the expected JSON: \(JSONErrorText.describe(error))")))
        }
    }

    /// The 503 answer when the database cannot be read or written.
    static func storage(_ what: String, _ error: any Error) -> ControlResponse {
        .error(503, code: "storage", message: "\(what): \(error)")
    }
}

extension Supervisor.CommandError {
    /// The API's answer to the error.
    var response: ControlResponse {
        switch self {
        case .notFound(let message): .error(404, code: "not-found", message: message)
        case .invalid(let message): .error(409, code: "invalid-transition", message: message)
        case .conflict(let message): .error(409, code: "conflict", message: message)
        case .notReady(let message): .error(409, code: "not-ready", message: message)
        case .failed(let message): .error(500, code: "failed", message: message)
        case .policyNotWritten(let message): .error(500, code: "policy-write-failed", message: message)
        }
    }
}

/// A decoding error in one line, without Swift's type names.
enum JSONErrorText {
    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "missing key \(key.stringValue)"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        default: "not valid JSON"
        }
    }
}
