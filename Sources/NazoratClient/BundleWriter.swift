import FoundationEssentials
import NazoratCore
import NazoratLinux

/// Writes an offline bundle to a directory on the technician's export medium: each envelope
/// file, then the manifest last, each created exclusively and synced, so that a medium pulled
/// out halfway holds no manifest and central refuses it as cut short, never half-imports it.
public enum BundleWriter {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Writes `contents` into `directory` (created if missing, its parent must exist; it must be empty).
    public static func write(_ contents: OfflineBundle.Contents, to directory: String) throws(Failure) {
        do throws(FileError) {
            try SystemFile.makeDirectory(directory, permissions: 0o755)
        } catch {
            throw Failure(description: "\(error)")
        }
        guard let present = try? FileManager.default.contentsOfDirectory(atPath: directory), present.isEmpty else {
            throw Failure(description: "\(directory) is not an empty directory: give a new or empty one for the bundle")
        }
        do {
            let files = contents.files.map { ($0.name, $0.content) } + [(OfflineBundle.manifestName, contents.manifest)]
            for (name, content) in files {
                guard try SystemFile.createExclusive(directory + "/" + name, Array(content.utf8), permissions: 0o644) else {
                    throw Failure(description: "\(directory)/\(name) appeared while the bundle was written: another "
                                  + "export into the same directory? Remove it and export again into an empty one")
                }
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            // A FileError: the path and the system's reason.
            throw Failure(description: "\(error) (the bundle in \(directory) is incomplete: remove it and export again)")
        }
    }
}
