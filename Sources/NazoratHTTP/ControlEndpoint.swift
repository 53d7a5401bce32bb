/// Where the control server listens.
public enum ControlEndpoint: Sendable, Equatable {
    /// A listening Unix stream socket handed over by systemd (`nazoratd.socket`).
    case inherited(descriptor: Int32)
    /// A path the server binds itself, with mode 0660, when started without systemd's socket.
    case path(String)
    /// A TCP address (nazorat-central; never nazoratd, which has no network).
    case tcp(host: String, port: Int)
}
