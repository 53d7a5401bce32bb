import FoundationEssentials
import Logging
import NazoratAPI
import NazoratHTTP
import NIOCore
import NIOSSL

/// nazorat-central, the reference receiver: its database and its HTTP(S) server.
public enum Central {
    /// Enrolls `station` with its public key (base64, as `nazoratd key` prints it).
    public static func enroll(stateDirectory: String, station: String, publicKey: String) throws {
        guard let bytes = Data(base64Encoded: publicKey), bytes.count == 32 else {
            throw CentralError(message: "the public key must be base64 of 32 bytes (nazoratd key prints it)")
        }
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        try CentralStore(path: stateDirectory + "/central.db").enroll(station: station, publicKey: publicKey, now: nowUsec())
    }

    /// Listens on `host:port` (TLS with `certificate`/`key`, which only loopback may go
    /// without; client certificates required when `clientCA` is given) and serves until
    /// graceful shutdown. Returns the server (its port, when 0 was asked for).
    public static func server(host: String, port: Int, stateDirectory: String, certificate: String?, key: String?,
                              clientCA: String?, overdueAfter: Duration, logger: Logger) async throws -> ControlServer {
        guard certificate != nil || ["127.0.0.1", "::1", "localhost"].contains(host) else {
            throw CentralError(message: "plain HTTP only on loopback: give --tls-cert and --tls-key to listen on \(host)")
        }
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        let store = try CentralStore(path: stateDirectory + "/central.db")
        let routes = CentralRoutes(store: store, receiver: Receiver(store: store), overdueAfter: overdueAfter, now: nowUsec)
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
