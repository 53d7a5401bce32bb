import Foundation
import Testing

/// The uplink to central over TLS, with a CA, server and client certificates made here by
/// openssl: delivery with mutual TLS, a wrong server certificate refused, a client without
/// a certificate refused.
@Suite(.serialized) struct TLSTests {
    /// A scratch PKI: CA `ca`, a server certificate for 127.0.0.1 and a client certificate
    /// signed by it, and a second, unrelated CA `other` with its own server certificate.
    struct PKI {
        let directory: String

        init() throws {
            directory = try Paths.temporaryDirectory()
            try authority("ca")
            try authority("other")
            try issue("server", by: "ca", extensions: "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
            try issue("imposter", by: "other", extensions: "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
            try issue("client", by: "ca", extensions: "extendedKeyUsage=clientAuth\n")
        }

        func path(_ name: String) -> String { directory + "/" + name }

        private func openssl(_ arguments: [String]) throws {
            let result = try runToCompletion("/usr/bin/openssl", arguments, environment: ["PATH": "/usr/bin:/bin"])
            try #require(result.status == 0, "openssl \(arguments.joined(separator: " ")): \(result.stderr)")
        }

        private func authority(_ name: String) throws {
            try openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                         "-keyout", path("\(name).key"), "-out", path("\(name).pem"), "-days", "2",
                         "-subj", "/CN=Nazorat test \(name)"])
        }

        private func issue(_ name: String, by authority: String, extensions: String) throws {
            try openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                         "-keyout", path("\(name).key"), "-out", path("\(name).csr"), "-subj", "/CN=\(name)"])
            try ("basicConstraints=CA:FALSE\n" + extensions).write(toFile: path("\(name).ext"), atomically: true, encoding: .utf8)
            try openssl(["x509", "-req", "-in", path("\(name).csr"), "-CA", path("\(authority).pem"),
                         "-CAkey", path("\(authority).key"), "-CAcreateserial", "-out", path("\(name).pem"),
                         "-days", "2", "-extfile", path("\(name).ext")])
        }
    }

    private func uplinkTable(_ central: CentralProcess, _ pki: PKI, client: Bool) -> String {
        ControlHarness.uplink("https://127.0.0.1:\(central.port)/v1/envelopes", extra: "ca = \"\(pki.path("ca.pem"))\"\n"
            + (client ? "client-cert = \"\(pki.path("client.pem"))\"\nclient-key = \"\(pki.path("client.key"))\"\n" : ""))
    }

    @Test func mutualTLSDeliversAndAWrongCertificateOrNoneIsRefused() async throws {
        let pki = try PKI()
        let mutual = ["--tls-cert", pki.path("server.pem"), "--tls-key", pki.path("server.key"),
                      "--tls-client-ca", pki.path("ca.pem")]

        // Mutual TLS with the right certificates: delivered.
        let central = try await CentralProcess(extra: mutual)
        let harness = try await ControlHarness(extra: uplinkTable(central, pki, client: true))
        let uplink = try harness.startUplink(enrollingAt: central)
        defer { _ = uplink.stop(SIGKILL) }
        try await eventually("delivery over mutual TLS") { try central.acceptedSeq("TEST-0006") >= 2 }

        // Central presents a certificate from another CA: the uplink refuses it.
        let imposter = try await CentralProcess(extra: ["--tls-cert", pki.path("imposter.pem"), "--tls-key", pki.path("imposter.key")])
        let fooled = try await ControlHarness(extra: uplinkTable(imposter, pki, client: true))
        let refusing = try fooled.startUplink(enrollingAt: imposter)
        defer { _ = refusing.stop(SIGKILL) }
        try await refusing.lines.wait(for: "two failed attempts", timeout: .seconds(60)) { $0.count { $0.contains("retrying") } >= 2 }
        #expect(try imposter.acceptedSeq("TEST-0006") == 0)
        #expect(try fooled.request("GET", "/v1/outbox").json()["acknowledgedThrough"] as? Int == 0)

        // A client without a certificate: central refuses it.
        let strict = try await CentralProcess(extra: mutual)
        let anonymous = try await ControlHarness(extra: uplinkTable(strict, pki, client: false))
        let unsigned = try anonymous.startUplink(enrollingAt: strict)
        defer { _ = unsigned.stop(SIGKILL) }
        try await unsigned.lines.wait(for: "two failed attempts", timeout: .seconds(60)) { $0.count { $0.contains("retrying") } >= 2 }
        #expect(try strict.acceptedSeq("TEST-0006") == 0)
    }

    /// Each file central cannot use is named with its option, in a sentence (NIOSSL's own
    /// error was its internal name, `failedToLoadCertificate`).
    @Test func aCertificateOrKeyCentralCannotUseIsNamedWithItsOption() throws {
        let pki = try PKI()
        let junk = pki.path("junk.pem")
        try "not a certificate\n".write(toFile: junk, atomically: true, encoding: .utf8)
        let (certificate, key) = (pki.path("server.pem"), pki.path("server.key"))
        for (arguments, message) in [
            (["--tls-cert", junk, "--tls-key", key], "--tls-cert \(junk): not a readable PEM certificate"),
            (["--tls-cert", certificate, "--tls-key", junk], "--tls-key \(junk): not a readable PEM private key"),
            (["--tls-cert", certificate, "--tls-key", pki.path("imposter.key")],
             "--tls-key \(pki.path("imposter.key")) is not the key of --tls-cert \(certificate)"),
            (["--tls-cert", certificate, "--tls-key", key, "--tls-client-ca", junk],
             "--tls-client-ca \(junk): not a readable PEM certificate bundle"),
        ] {
            let run = try runToCompletion(Paths.products + "/nazorat-central",
                                          ["serve", "--state-dir", pki.path("state"), "--listen", "127.0.0.1:0"] + arguments,
                                          environment: [:])
            #expect(run.status == 1 && run.stderr == "nazorat-central serve: \(message)\n", "\(arguments): \(run.stderr)")
        }
    }
}
