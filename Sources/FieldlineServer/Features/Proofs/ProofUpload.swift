import FieldlineDomain
import Foundation
import Hummingbird
import NIOCore

/// `POST /v1/jobs/{id}/proofs` as `multipart/form-data`: photos uploaded by the `app` adapter or
/// an integration, each streamed into the media store's spool as it arrives (never whole in
/// memory), checked like a provider's photos, and committed only once every part is good, so a
/// refused upload leaves nothing behind.
struct ProofUpload {
    /// The form fields besides the photos.
    static let textFields: Set<String> = ["latitude", "longitude", "note", "crew_code", "member_id"]
    /// The names a photo part may have.
    static let fileFields: Set<String> = ["photo", "photos", "photos[]", "file"]

    let intake: MediaIntake

    /// What the form held: its text fields and its photos, inspected but not yet committed.
    struct Form {
        var fields: [String: String] = [:]
        var photos: [(session: MediaIntake.Session, contentType: String, facts: EvidencePhoto?)] = []
    }

    /// Reads the whole form; on any error every photo read so far is discarded.
    func read<Body: AsyncSequence & Sendable>(_ body: Body, boundary: String) async throws -> Form where Body.Element == ByteBuffer {
        var reader = MultipartReader(body: body, boundary: boundary)
        var form = Form()
        var current: MediaIntake.Session?
        do {
            while let part = try await reader.nextPart() {
                if Self.fileFields.contains(part.name) || part.filename != nil {
                    guard Self.fileFields.contains(part.name) else {
                        throw ValidationError(field: part.name, code: "unknown_field", message: "files go in the field 'photo'")
                    }
                    guard form.photos.count < ProofEvidence.maxItems else {
                        throw ValidationError(field: "photo", message: "a proof takes at most \(ProofEvidence.maxItems) photos")
                    }
                    let session = try await intake.begin(declaredType: part.contentType, photosOnly: true)
                    current = session
                    try await reader.readContent { try await session.write($0) }
                    guard session.size > 0 else { throw ValidationError(field: "photo", code: "empty_file", message: "a photo part is empty") }
                    let (type, facts) = try await session.inspect()
                    form.photos.append((session, type, facts))
                    current = nil
                } else {
                    guard Self.textFields.contains(part.name) else {
                        throw ValidationError(field: part.name, code: "unknown_field",
                                              message: "unknown form field '\(part.name)'; expected photo, latitude, longitude, note, crew_code, member_id")
                    }
                    form.fields[part.name] = try await reader.readText(limit: 4096)
                }
            }
        } catch {
            await current?.abort()
            await Self.discard(form)
            throw Self.apiError(error)
        }
        return form
    }

    /// Discards the photos of a form that will not be recorded.
    static func discard(_ form: Form) async {
        for photo in form.photos { await photo.session.abort() }
    }

    /// Commits the photos into the store.
    static func commit(_ form: Form) async throws -> [MediaIntake.Received] {
        var received: [MediaIntake.Received] = []
        for photo in form.photos {
            received.append(MediaIntake.Received(stored: try await photo.session.commit(), contentType: photo.contentType, facts: photo.facts))
        }
        return received
    }

    /// A refusal as the 4xx the client sees.
    static func apiError(_ error: any Error) -> any Error {
        switch error {
        case let refusal as MediaRefusal:
            switch refusal {
            case .tooLarge: return APIError(.contentTooLarge, code: "file_too_large", message: refusal.description, field: "photo")
            case .unrecognised, .notAllowed: return APIError(.unsupportedMediaType, code: "not_an_image", message: refusal.description, field: "photo")
            }
        case let refusal as PhotoRefusal:
            let status: HTTPResponse.Status = refusal.code == "not_an_image" ? .unsupportedMediaType : .unprocessableContent
            return APIError(status, code: refusal.code, message: refusal.description, field: "photo")
        case let malformed as MultipartMalformed:
            return APIError(.badRequest, code: "invalid_multipart", message: malformed.message)
        default:
            return error
        }
    }
}
