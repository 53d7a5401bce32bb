import FoundationEssentials
import NazoratConfiguration
import NazoratCore
import NazoratLinux

/// Loads the `[policy]` rule file into a ``Policy``.
public enum PolicyFile {
    /// Why the policy could not be loaded: `file:line:column: message`, or the file error.
    public struct LoadError: Error, Sendable, CustomStringConvertible {
        /// The message as printed.
        public var description: String
    }

    /// Reads and parses `settings.rulesPath`.
    public static func load(_ settings: PolicySettings) throws(LoadError) -> Policy {
        let text = try read(settings.rulesPath)
        do {
            return Policy(rules: try RuleParser(file: settings.rulesPath).parse(text), implicit: settings.implicit)
        } catch {
            throw LoadError(description: error.description)
        }
    }
}

extension PolicyFile {
    /// Puts `rule` in front of the rules of `settings.rulesPath` (after the file's opening
    /// comments), so that it decides its device before any broader rule does, and returns
    /// the policy of the new file. The new text is parsed before it replaces the old one,
    /// and replaces it atomically (a temporary file, fsync, rename): a crash leaves the old
    /// file or the new one, never half of one.
    public static func prepend(_ rule: String, comment: String, to settings: PolicySettings) throws(LoadError) -> Policy {
        let path = settings.rulesPath
        let old = try read(path)
        var lines = old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let head = lines.prefix { $0.hasPrefix("#") || $0.trimmingCharacters(in: .whitespaces).isEmpty }.count
        lines.insert(contentsOf: ["# " + comment, rule, ""], at: head)
        let text = lines.joined(separator: "\n")
        let policy: Policy
        do {
            policy = Policy(rules: try RuleParser(file: path).parse(text), implicit: settings.implicit)
        } catch {
            throw LoadError(description: error.description)
        }
        do {
            try SystemFile.replace(path, with: Array(text.utf8), permissions: 0o640)
        } catch {
            throw LoadError(description: "\(error); the rule was not added")
        }
        return policy
    }

    /// The rule file's text; a file that cannot be read is a sentence naming it and saying what to do.
    private static func read(_ path: String) throws(LoadError) -> String {
        do {
            return String(decoding: try SystemFile.read(path), as: UTF8.self)
        } catch {
            throw LoadError(description: "the rule file \(error); write it there, or set rules in [policy] to where it is")
        }
    }
}
