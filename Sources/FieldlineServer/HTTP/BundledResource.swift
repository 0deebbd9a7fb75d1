import Foundation

/// The text files served as they are (`openapi.yaml`, `sandbox.html`), read once each.
enum BundledResource {
    /// The file `name` of `Sources/FieldlineServer/Resources`, found next to the executable
    /// (where SwiftPM and the Dockerfile put the resource bundle) or, in a source checkout, in
    /// `Sources/`. `Bundle.module` is not used because it stops the process when the bundle is missing.
    static func text(_ name: String) -> String? {
        cache.withLock { (cache: inout [String: String]) -> String? in
            if let text = cache[name] { return text }
            let bundle = "Fieldline_FieldlineServer.resources/\(name)"
            let executableDirectory = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").deletingLastPathComponent()
            let candidates = [
                Bundle.main.bundleURL.appendingPathComponent(bundle),
                executableDirectory.appendingPathComponent(bundle),
                URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                    .appendingPathComponent("Resources/\(name)"),
            ]
            for url in candidates {
                if let text = try? String(contentsOf: url, encoding: .utf8) {
                    cache[name] = text
                    return text
                }
            }
            return nil
        }
    }

    private static let cache = NSLockedDictionary()
}

/// A dictionary behind a lock (the files read so far).
final class NSLockedDictionary: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String: String] = [:]

    /// Runs `body` with the dictionary, under the lock.
    func withLock<T>(_ body: (inout [String: String]) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&values)
    }
}
