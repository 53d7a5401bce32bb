import NazoratAPI
import NazoratCore
import NazoratHTTP

/// The USB devices: the list, one device, an administrator's allow or block, the seal.
extension ControlRoutes {
    static let deviceRoutes: [Route] = [
        Route("GET", "/v1/devices", .read) { routes, _ in routes.deviceList() },
        Route("GET", "/v1/devices/{port}", .read) { routes, call in routes.device(call.parameter) },
        Route("POST", "/v1/devices/{port}/allow", .administer) { routes, call in await routes.decide(.allow, call) },
        Route("POST", "/v1/devices/{port}/block", .administer) { routes, call in await routes.decide(.block, call) },
        Route("POST", "/v1/seal", .administer) { routes, call in await routes.seal(call.request.peer) },
    ]

    /// What each present device's document shows, in port order.
    func deviceInputs() -> [DeviceDocument.Inputs] {
        let present = board.present
        let inventory = board.inventory
        return zip(present, enforcer.decisions(for: present)).map { device, decision in
            DeviceDocument.Inputs(device: device, role: decision.role.rawValue, decision: decision.target.rawValue,
                                  sealed: inventory.map { $0.seals(device) }, cutInterfaces: enforcer.cutInterfaces(of: device))
        }
    }

    /// `{"devices": [...]}` from the cached documents: the bytes `.json(DeviceList(...))` would write.
    func deviceList() -> ControlResponse {
        ControlResponse(status: 200, body: DeviceDocumentCache.list(deviceDocuments.encoded(deviceInputs())))
    }

    func device(_ port: String) -> ControlResponse {
        guard let found = deviceInputs().first(where: { $0.device.port == port }) else {
            return .error(404, code: "not-found", message: "no USB device at port \(DeviceString(port).escaped(limit: 64))")
        }
        return .json(found.document)
    }

    func decide(_ target: Rule.Target, _ call: RouteCall) async -> ControlResponse {
        let body: DecisionRequest
        switch Self.decode(DecisionRequest.self, call.request.body, empty: DecisionRequest(permanent: false)) {
        case .success(let decoded): body = decoded
        case .failure(let error): return error.response
        }
        do {
            let decided = try await supervisor.decide(port: call.parameter, target: target,
                                                      permanent: body.permanent == true, by: call.request.peer)
            return .json(DecisionDocument(port: decided.device.port, target: target.rawValue, applied: decided.applied,
                                          rule: decided.rule))
        } catch {
            return error.response
        }
    }

    func seal(_ peer: Peer) async -> ControlResponse {
        let inventory = await supervisor.seal(by: peer, roles: enforcer.role(of:))
        return .json(SealDocument(sealed: inventory.items.map { .init(port: $0.port, id: $0.id, role: $0.role.rawValue) },
                                  seq: await log.currentHead?.seq))
    }
}
