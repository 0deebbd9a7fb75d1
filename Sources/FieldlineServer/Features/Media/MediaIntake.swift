import FieldlineDomain
import Foundation
import NIOCore

/// Takes one file into the media store, whoever sends it (a provider download, an upload): it
/// counts the bytes against the policy's size limit as they stream, recognises the type from the
/// first bytes, keeps the head for the evidence facts, and inspects photos before committing,
/// so a refused file is never stored, even in part.
struct MediaIntake: Sendable {
    let store: any MediaStore
    let policy: MediaPolicy
    let inspector: PhotoInspector

    /// What a file turned out to be once stored.
    struct Received: Sendable {
        let stored: StoredMedia
        /// Recognised from the bytes.
        let contentType: String
        /// The evidence facts, for photos.
        let facts: EvidencePhoto?
    }

    /// Starts a file. `photosOnly` refuses anything that is not a JPEG, PNG, HEIC/HEIF or WebP photo.
    func begin(declaredType: String?, photosOnly: Bool) async throws -> Session {
        Session(intake: self, upload: try await store.begin(), declaredType: declaredType, photosOnly: photosOnly)
    }

    /// One file on its way in, written by one task.
    final class Session {
        private let intake: MediaIntake
        private let upload: any MediaUpload
        private let declaredType: String?
        private let photosOnly: Bool
        private var head: [UInt8] = []
        private var contentType: String?
        private(set) var size: Int64 = 0
        private var finished = false

        fileprivate init(intake: MediaIntake, upload: any MediaUpload, declaredType: String?, photosOnly: Bool) {
            self.intake = intake
            self.upload = upload
            self.declaredType = declaredType
            self.photosOnly = photosOnly
        }

        /// Appends a chunk; throws `MediaRefusal` (or `PhotoRefusal`) as soon as the size limit is
        /// passed or the first bytes show a type that is not accepted. The caller must `abort` on error.
        func write(_ chunk: ByteBuffer) async throws {
            size += Int64(chunk.readableBytes)
            try intake.policy.check(size: size)
            if head.count < ImageHeader.headLength {
                head += chunk.readableBytesView.prefix(ImageHeader.headLength - head.count)
                if contentType == nil, head.count >= MediaSniffer.prefixLength { contentType = try recognise() }
            }
            try await upload.write(chunk)
        }

        /// Inspects and commits the file; `expectedSHA256` (hex), when known, must match.
        func finish(expectedSHA256: String? = nil) async throws -> Received {
            // A truncated download is worth another attempt: say so before inspecting its pixels.
            if let expectedSHA256, upload.digest() != expectedSHA256 { throw SHA256Mismatch() }
            let (type, facts) = try await inspect()
            return Received(stored: try await commit(expectedSHA256: expectedSHA256), contentType: type, facts: facts)
        }

        /// Recognises and (photos) inspects the complete file, without committing it yet.
        func inspect() async throws -> (contentType: String, facts: EvidencePhoto?) {
            let type = try contentType ?? recognise()
            contentType = type
            guard PhotoFacts.imageTypes.contains(type) else {
                if photosOnly { throw PhotoRefusal.notAnImage("the file is \(type), not a JPEG, PNG, HEIC/HEIF or WebP photo") }
                return (type, nil)
            }
            return (type, try await intake.inspector.inspect(head: head, declared: declaredType, file: try await upload.spooled()))
        }

        /// Makes the file visible in the store under its SHA-256.
        func commit(expectedSHA256: String? = nil) async throws -> StoredMedia {
            let stored = try await upload.commit(expectedSHA256: expectedSHA256)
            finished = true
            return stored
        }

        /// Discards what was written (nothing remains in the store).
        func abort() async {
            guard !finished else { return }
            finished = true
            await upload.abort()
        }

        private func recognise() throws -> String {
            if photosOnly, MediaSniffer.detect(head).map({ !PhotoFacts.imageTypes.contains($0) }) ?? true {
                // Says what the file is (a script, an SVG...), not only that it is unknown.
                _ = try PhotoFacts.inspect(head, declared: declaredType)
            }
            return try intake.policy.contentType(head: head, declared: declaredType)
        }
    }
}
