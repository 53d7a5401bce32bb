/// The body of every error response, of the control API and of central's.
public struct ErrorDocument: Codable, Sendable, Equatable {
    /// What went wrong.
    public struct Detail: Codable, Sendable, Equatable {
        /// A stable, machine-readable code, e.g. `not-found`.
        public var code: String
        /// A sentence for people.
        public var message: String

        public init(code: String, message: String) {
            self.code = code
            self.message = message
        }
    }

    /// The error.
    public var error: Detail

    public init(error: Detail) {
        self.error = error
    }
}
