import NazoratCentral
import NIOCore
import NIOSSL

/// Central's TLS, from its PEM files: a target of its own so that what only judges envelopes
/// (NazoratCentral, and with it the fuzzers) builds without NIOSSL's BoringSSL.
public enum CentralTLS {
    /// What central's server runs on each connection it accepts: TLS with `certificate` and
    /// `key`, and client certificates chained to `clientCA` required when it is given. A file
    /// that cannot be read is a ``CentralError`` naming the option and the file.
    public static func server(certificate: String, key: String,
                              clientCA: String?) throws(CentralError) -> @Sendable (any Channel) throws -> Void {
        let chain: [NIOSSLCertificateSource] = try load("--tls-cert \(certificate): not a readable PEM certificate") {
            let chain = try NIOSSLCertificate.fromPEMFile(certificate)
            guard !chain.isEmpty else { throw NIOSSLError.failedToLoadCertificate }
            return chain.map { .certificate($0) }
        }
        let privateKey = try load("--tls-key \(key): not a readable PEM private key") {
            try NIOSSLPrivateKey(file: key, format: .pem)
        }
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(privateKey))
        if let clientCA {
            tls.trustRoots = .certificates(try load("--tls-client-ca \(clientCA): not a readable PEM certificate bundle") {
                try NIOSSLCertificate.fromPEMFile(clientCA)
            })
            // Clients are identified by their certificate chain, not by a host name.
            tls.certificateVerification = .noHostnameVerification
        }
        let context = try load("--tls-key \(key) is not the key of --tls-cert \(certificate)") {
            try NIOSSLContext(configuration: tls)
        }
        return { channel in try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context)) }
    }

    /// `body`'s value, or `message` as a ``CentralError`` (NIOSSL's errors name its internals).
    private static func load<Value>(_ message: String, _ body: () throws -> Value) throws(CentralError) -> Value {
        do { return try body() } catch { throw CentralError(message: message) }
    }
}
