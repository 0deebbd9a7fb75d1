import Crypto
import Foundation

/// One numbered migration file, `sql/NNN_name.sql`.
public struct MigrationFile: Sendable, Equatable {
    /// The number that orders it.
    public let version: Int
    /// The file name, e.g. `002_network.sql`.
    public let filename: String
    /// Its contents.
    public let sql: String
    /// SHA-256 of its contents, hex; recorded when applied so later edits are caught.
    public let checksum: String

    /// Makes a migration from a file name and contents; nil when the name is not `NNN_name.sql`.
    public init?(filename: String, sql: String) {
        guard filename.hasSuffix(".sql"), let underscore = filename.firstIndex(of: "_"),
              let version = Int(filename[..<underscore]), version > 0
        else { return nil }
        self.version = version
        self.filename = filename
        self.sql = sql
        self.checksum = SHA256.hash(data: Data(sql.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Reads every migration in a folder, ordered by version.
    public static func load(from directory: String) throws -> [MigrationFile] {
        let url = URL(fileURLWithPath: directory)
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: url.path)
        } catch {
            throw MigrationError.missingDirectory(url.path)
        }
        var files: [MigrationFile] = []
        for name in names where name.hasSuffix(".sql") {
            let sql = try String(contentsOf: url.appendingPathComponent(name), encoding: .utf8)
            guard let file = MigrationFile(filename: name, sql: sql) else {
                throw MigrationError.badFilename(name)
            }
            if let clash = files.first(where: { $0.version == file.version }) {
                throw MigrationError.duplicateVersion(clash.filename, file.filename)
            }
            files.append(file)
        }
        guard !files.isEmpty else { throw MigrationError.missingDirectory(url.path) }
        return files.sorted { $0.version < $1.version }
    }
}

/// Why migrations could not run; each description is one line for an operator.
public enum MigrationError: Error, CustomStringConvertible, Equatable {
    /// The folder does not exist or holds no `.sql` files.
    case missingDirectory(String)
    /// A `.sql` file whose name is not `NNN_name.sql`.
    case badFilename(String)
    /// Two files with the same number.
    case duplicateVersion(String, String)
    /// An applied file was edited afterwards.
    case changedAfterApply(filename: String, recorded: String, current: String)
    /// A statement failed; the file's transaction was rolled back.
    case failed(filename: String, statement: Int, message: String)

    /// One line for an operator.
    public var description: String {
        switch self {
        case .missingDirectory(let path):
            "no migrations found in \(path) (set SQL_DIR to the folder holding NNN_name.sql files)"
        case .badFilename(let name):
            "migration file \(name) is not named NNN_name.sql"
        case .duplicateVersion(let first, let second):
            "migrations \(first) and \(second) have the same number"
        case .changedAfterApply(let filename, let recorded, let current):
            "migration \(filename) was changed after it was applied (recorded checksum \(recorded.prefix(12)), file now \(current.prefix(12))); applied migrations are never edited: add a new numbered file instead"
        case .failed(let filename, let statement, let message):
            "migration \(filename) failed at statement \(statement), nothing of it was applied: \(message)"
        }
    }
}
