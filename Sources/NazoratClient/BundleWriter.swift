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
        do throws(FileError) {
            for file in contents.files {
                _ = try SystemFile.createExclusive(directory + "/" + file.name, Array(file.content.utf8), permissions: 0o644)
            }
            _ = try SystemFile.createExclusive(directory + "/" + OfflineBundle.manifestName, Array(contents.manifest.utf8),
                                               permissions: 0o644)
        } catch {
            throw Failure(description: "\(error) (the bundle in \(directory) is incomplete: remove it and export again)")
        }
    }
}
