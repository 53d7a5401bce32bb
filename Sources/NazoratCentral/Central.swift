import FoundationEssentials
import Logging
import NazoratAPI
import NazoratCore
import NazoratHTTP
import NIOCore
import NIOSSL

/// nazorat-central, the reference receiver: its database and its HTTP(S) server.
public enum Central {
    /// Enrolls `station` with its public key (base64, as `nazoratd key` prints it); a station
    /// enrolled before keeps its region, district and name.
    public static func enroll(stateDirectory: String, station: String, publicKey: String) throws -> Enrolment {
        if let problem = RegistryRules.stationProblem(station) ?? RegistryRules.keyProblem(publicKey) {
            throw CentralError(message: problem)
        }
        let entry = RegistryFile.Entry(station: station, region: "unassigned", district: "unassigned", name: "",
                                       publicKey: RegistryRules.canonicalKey(publicKey), line: 0)
        do {
            return try store(stateDirectory).enroll([entry], keepPlaces: true, now: nowUsec())
        } catch let problems as RegistryFile.Problems {
            throw CentralError(message: problems.list.map(\.message).joined(separator: "\n"))
        }
    }

    /// Enrolls the national list in the CSV file at `path` (``RegistryFile``), all or nothing:
    /// every bad line is named in the error and nothing is enrolled. `progress` hears the
    /// stations done and their number.
    public static func enroll(stateDirectory: String, csv path: String,
                              progress: ((Int, Int) -> Void)? = nil) throws -> Enrolment {
        guard FileManager.default.fileExists(atPath: path) else { throw CentralError(message: "\(path): no such file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CentralError(message: "\(path): cannot be read; check its permissions")
        }
        let bytes = Array(data)
        func refusal(_ found: RegistryFile.Problems) -> CentralError {
            let problems = found.list
            let shown = problems.prefix(20).map { "\(path):\($0.line): \($0.message)" }
            let more = problems.count > 20 ? ["... and \(problems.count - 20) more lines with problems"] : []
            let lines: [String] = shown + more + ["nothing was enrolled: correct the file and enroll it again"]
            return CentralError(message: lines.joined(separator: "\n"))
        }
        switch RegistryFile.parse(bytes) {
        case .failure(let found):
            throw refusal(found)
        case .success(let file):
            let total = file.entries.count
            do {
                return try store(stateDirectory).enroll(file.entries, now: nowUsec(), progress: { progress?($0, total) })
            } catch let found as RegistryFile.Problems {
                throw refusal(found)
            }
        }
    }

    /// Retires `station`: central refuses its envelopes from now on and keeps what it sent.
    public static func retire(stateDirectory: String, station: String) throws {
        guard try store(stateDirectory).retire(station: station, now: nowUsec()) else {
            throw CentralError(message: "station \(DeviceString(station).escaped(limit: 64)) is not enrolled")
        }
    }

    private static func store(_ stateDirectory: String) throws -> CentralStore {
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        return try CentralStore(path: stateDirectory + "/central.db")
    }

    /// Listens on `host:port` (TLS with `certificate`/`key`, which only loopback may go
    /// without; client certificates required when `clientCA` is given) and serves until
    /// graceful shutdown. Returns the server (its port, when 0 was asked for).
    public static func server(host: String, port: Int, stateDirectory: String, certificate: String?, key: String?,
                              clientCA: String?, liveness: Liveness, logger: Logger) async throws -> ControlServer {
        guard certificate != nil || ["127.0.0.1", "::1", "localhost"].contains(host) else {
            throw CentralError(message: "plain HTTP only on loopback: give --tls-cert and --tls-key to listen on \(host)")
        }
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        let store = try CentralStore(path: stateDirectory + "/central.db")
        let routes = CentralRoutes(store: store, receiver: Receiver(store: store), liveness: liveness, now: nowUsec)
        var secure: (@Sendable (Channel) throws -> Void)?
        if let certificate, let key {
            var tls = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
            if let clientCA {
                tls.trustRoots = .file(clientCA)
                // Clients are identified by their certificate chain, not by a host name.
                tls.certificateVerification = .noHostnameVerification
            }
            let context = try NIOSSLContext(configuration: tls)
            secure = { channel in try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context)) }
        }
        return try await ControlServer.bind(.tcp(host: host, port: port), router: routes.route, logger: logger,
                                            bodyLimit: 32 << 20, requestTimeout: .seconds(120), secure: secure)
    }

    @Sendable static func nowUsec() -> Int64 {
        Int64(Date().timeIntervalSince1970 * 1_000_000)
    }
}

/// A startup error of nazorat-central.
public struct CentralError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
