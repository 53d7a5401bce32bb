import FoundationEssentials
import NazoratCore

/// Loads the `[policy]` rule file into a ``Policy``.
public enum PolicyFile {
    /// Why the policy could not be loaded: `file:line:column: message`, or the file error.
    public struct LoadError: Error, Sendable, CustomStringConvertible {
        /// The message as printed.
        public var description: String
    }

    /// Reads and parses `settings.rulesPath`.
    public static func load(_ settings: PolicySettings) throws(LoadError) -> Policy {
        let text: String
        do {
            text = String(decoding: try Data(contentsOf: URL(filePath: settings.rulesPath)), as: UTF8.self)
        } catch {
            throw LoadError(description: "\(settings.rulesPath): cannot read the rule file (\(error))")
        }
        do {
            return Policy(rules: try RuleParser(file: settings.rulesPath).parse(text), implicit: settings.implicit)
        } catch {
            throw LoadError(description: error.description)
        }
    }
}
