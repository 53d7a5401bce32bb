import NazoratAPI
import NazoratCore
import NazoratHTTP

/// One entry of the control API's route table: method, path pattern, the permission it
/// needs and the handler. `{name}` in a pattern matches one path segment, which the
/// handler reads from ``RouteCall/parameters`` in order.
struct Route: Sendable {
    let method: String
    let pattern: [Segment]
    let permission: Permission
    let handle: @Sendable (ControlRoutes, RouteCall) async -> ControlResponse

    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter
    }

    init(_ method: String, _ pattern: String, _ permission: Permission,
         _ handle: @escaping @Sendable (ControlRoutes, RouteCall) async -> ControlResponse) {
        self.method = method
        self.pattern = pattern.split(separator: "/").map { $0.hasPrefix("{") ? .parameter : .literal(String($0)) }
        self.permission = permission
        self.handle = handle
    }

    /// The parameters, when `segments` fit the pattern.
    func match(_ segments: [String]) -> [String]? {
        guard segments.count == pattern.count else { return nil }
        var parameters: [String] = []
        for (segment, expected) in zip(segments, pattern) {
            switch expected {
            case .literal(let literal) where literal == segment: continue
            case .literal: return nil
            case .parameter: parameters.append(segment)
            }
        }
        return parameters
    }
}

/// A matched request: the request and the values of its pattern's `{name}` segments.
struct RouteCall: Sendable {
    let request: ControlRequest
    let parameters: [String]

    /// The first path parameter (every pattern here has at most one).
    var parameter: String { parameters.first ?? "" }
}

extension ControlRoutes {
    /// Every resource of the control API (docs/openapi.yaml), by resource.
    static let table: [Route] = stationRoutes + deviceRoutes + policyRoutes + alarmRoutes + pollsRoutes + reportRoutes
        + outboxRoutes

    /// The route for `request`, or the 404 or 405 answer.
    static func match(_ request: ControlRequest) -> Result<(Route, RouteCall), ControlResponseError> {
        let segments = request.segments
        var allowed: [String] = []
        for route in table {
            guard let parameters = route.match(segments) else { continue }
            if route.method == request.method {
                return .success((route, RouteCall(request: request, parameters: parameters)))
            }
            allowed.append(route.method)
        }
        guard allowed.isEmpty else {
            var refusal = ControlResponse.error(
                405, code: "method-not-allowed",
                message: "\(request.method) is not allowed on \(request.path); use \(allowed.joined(separator: " or "))")
            refusal.headers = [("Allow", allowed.joined(separator: ", "))]
            return .failure(ControlResponseError(refusal))
        }
        return .failure(ControlResponseError(.error(404, code: "not-found", message: "no such resource: \(request.path)")))
    }
}
