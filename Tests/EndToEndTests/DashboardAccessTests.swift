import Foundation
import Testing

/// Who may open the dashboard: nobody without signing in, not a station with its own
/// certificate, and a viewer not for an operator's action; each refusal and each operator
/// action is in the audit with who, when and from where. Over mutual TLS, as central is
/// deployed (curl presents the certificates).
@Suite(.serialized) struct DashboardAccessTests {
    private let password = "monitoring room 2026"

    /// curl to central at `path`; its status and body. `cookies`: the jar to read and write.
    private func curl(_ pki: TLSTests.PKI, _ central: CentralProcess, _ path: String, body: String? = nil,
                      cookies: String? = nil, headers: [String] = ["Content-Type: application/json"],
                      method: String? = nil) throws -> (status: Int, body: String) {
        var arguments = ["-s", "-o", "-", "-w", "\n%{http_code}", "--cacert", pki.path("ca.pem"), "--cert", pki.path("client.pem"),
                         "--key", pki.path("client.key")]
        if let cookies { arguments += ["-b", cookies, "-c", cookies] }
        if let method { arguments += ["-X", method] }
        if let body { arguments += headers.flatMap { ["-H", $0] } + ["--data-binary", body] }
        let result = try runToCompletion("/usr/bin/curl", arguments + ["https://127.0.0.1:\(central.port)\(path)"], environment: [:])
        let text = String(decoding: result.stdout, as: UTF8.self)
        let status = Int(text.split(separator: "\n").last ?? "") ?? 0
        return (status, String(text.split(separator: "\n").dropLast().joined(separator: "\n")))
    }

    @Test(arguments: CentralStoreKind.allCases)
    func noSessionAStationsCertificateAndAViewersOperatorActionAreRefusedAndRecorded(_ store: CentralStoreKind) async throws {
        let pki = try TLSTests.PKI()
        let central = try await CentralProcess(store: store, extra: ["--tls-cert", pki.path("server.pem"), "--tls-key", pki.path("server.key"),
                                                       "--tls-client-ca", pki.path("ca.pem")])
        try central.enroll("TEST-0006", key: Data(repeating: 1, count: 32).base64EncodedString())
        try central.account("vera", role: "viewer", password: password)
        try central.account("omar", role: "operator", password: password)

        // The station's own certificate (the uplink's), and no session: refused.
        #expect(try curl(pki, central, "/dashboard/api/overview").status == 401)
        #expect(try curl(pki, central, "/dashboard/api/retire", body: #"{"station":"TEST-0006"}"#).status == 401)
        #expect(try curl(pki, central, "/dashboard/api/login", body: #"{"name":"TEST-0006","password":"x"}"#).status == 401,
                "a station's id opens nothing either")
        // Regression (review): a NUL in the name went to PostgreSQL, which refuses it: a 503.
        #expect(try curl(pki, central, "/dashboard/api/login", body: #"{"name":"a\u0000b","password":"x"}"#).status == 401)
        // Regression (review): a form from another site could post the sign-in (text/plain).
        #expect(try curl(pki, central, "/dashboard/api/login", body: #"{"name":"vera","password":"\#(password)"}"#,
                         headers: ["Content-Type: text/plain"]).status == 400)
        #expect(try curl(pki, central, "/dashboard/api/login", body: #"{"name":"vera","password":"\#(password)"}"#,
                         headers: ["Content-Type: application/json", "Sec-Fetch-Site: cross-site"]).status == 403)
        #expect(try curl(pki, central, "/dashboard/api/login").status == 405, "a GET of the sign-in")
        // The page itself holds no data and loads; everything it shows needs a session.
        #expect(try curl(pki, central, "/dashboard/").status == 200)

        let viewer = try Paths.temporaryDirectory() + "/vera.cookies"
        #expect(try curl(pki, central, "/dashboard/api/login", body: #"{"name":"vera","password":"wrong password!"}"#,
                         cookies: viewer).status == 401)
        #expect(try curl(pki, central, "/dashboard/api/login", body: #"{"name":"vera","password":"\#(password)"}"#,
                         cookies: viewer).status == 200)
        #expect(try curl(pki, central, "/dashboard/api/overview", cookies: viewer).status == 200)
        let forbidden = try curl(pki, central, "/dashboard/api/retire", body: #"{"station":"TEST-0006"}"#, cookies: viewer)
        #expect(forbidden.status == 403 && forbidden.body.contains("for operators"), "\(forbidden)")
        #expect(try curl(pki, central, "/dashboard/api/audit", cookies: viewer).status == 403, "the audit is for operators")
        #expect(try curl(pki, central, "/dashboard/api/stations/%00", cookies: viewer).status == 404)

        let operatorJar = try Paths.temporaryDirectory() + "/omar.cookies"
        #expect(try curl(pki, central, "/dashboard/api/login", body: #"{"name":"omar","password":"\#(password)"}"#,
                         cookies: operatorJar).status == 200)
        #expect(try curl(pki, central, "/dashboard/api/retire", body: #"{"station":"TEST-0006"}"#, cookies: operatorJar).status == 200)
        #expect(try central.column("SELECT COUNT(*) FROM stations WHERE station = 'TEST-0006' AND retired_usec IS NOT NULL") == ["1"])
        #expect(try curl(pki, central, "/dashboard/api/audit", cookies: operatorJar).status == 200)
        #expect(try curl(pki, central, "/dashboard/api/logout", body: "{}", cookies: operatorJar).status == 200)
        #expect(try curl(pki, central, "/dashboard/api/overview", cookies: operatorJar).status == 401, "signed out")
        // A disabled account's session ends with it.
        let disabled = try runToCompletion(Paths.products + "/nazorat-central", ["account"] + central.storeArguments
                                           + ["--disable", "vera"], environment: [:])
        #expect(disabled.status == 0, "\(disabled.stderr)")
        #expect(try curl(pki, central, "/dashboard/api/overview", cookies: viewer).status == 401, "vera is disabled")

        let audit = try central.column("""
            SELECT COALESCE(account, '-') || ' ' || action || ' ' || COALESCE(target, '-') || ' ' || outcome FROM audit ORDER BY id
            """)
        #expect(audit == ["- read /dashboard/api/overview no-session", "- act /dashboard/api/retire no-session",
                          "unknown login - bad-password", "unknown login - bad-password", "- act /dashboard/api/login cross-site",
                          "vera login - bad-password",
                          "vera login - done", "vera retire TEST-0006 forbidden", "vera audit - forbidden",
                          "omar login - done", "omar retire TEST-0006 done", "omar logout - done",
                          "- read /dashboard/api/overview no-session", "- read /dashboard/api/overview no-session"],
                "\(audit)")
        #expect(try central.column("SELECT COUNT(*) FROM audit WHERE peer NOT LIKE '%127.0.0.1%'") == ["0"], "from where, each time")
    }
}
