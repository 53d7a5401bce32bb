import FoundationEssentials
import Glibc
import NazoratConfiguration
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

extension PolicyFile {
    /// Puts `rule` in front of the rules of `settings.rulesPath` (after the file's opening
    /// comments), so that it decides its device before any broader rule does, and returns
    /// the policy of the new file. The new text is parsed before it replaces the old one,
    /// and replaces it atomically (a temporary file, fsync, rename): a crash leaves the old
    /// file or the new one, never half of one.
    public static func prepend(_ rule: String, comment: String, to settings: PolicySettings) throws(LoadError) -> Policy {
        let path = settings.rulesPath
        let old: String
        do {
            old = String(decoding: try Data(contentsOf: URL(filePath: path)), as: UTF8.self)
        } catch {
            throw LoadError(description: "\(path): cannot read the rule file (\(error))")
        }
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
        let temporary = path + ".new"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else { throw LoadError(description: "\(temporary): cannot write (errno \(errno))") }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor)
        close(descriptor)
        guard written == bytes.count, synced == 0, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw LoadError(description: "\(path): cannot replace the rule file (errno \(errno))")
        }
        return policy
    }
}
