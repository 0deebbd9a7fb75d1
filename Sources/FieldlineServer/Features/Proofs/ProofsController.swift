import FieldlineDomain
import Foundation
import Hummingbird

/// `/v1/jobs/{id}/proofs` and `/v1/proofs`: recording proof of service for a job, what ERPs
/// pull, and the review that accepts or rejects it.
struct ProofsController: Sendable {
    let repository: any ProofsRepository
    /// How uploaded photos enter the media store.
    let intake: MediaIntake

    /// The body of `POST /v1/jobs/{id}/proofs`.
    struct RecordRequest: RequestBody {
        let messageIds: [UUID]?
        let mediaIds: [UUID]?
        let latitude: Double?
        let longitude: Double?
        let crewCode: String?
        let note: String?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case messageIds = "message_ids", mediaIds = "media_ids", latitude, longitude, crewCode = "crew_code", note
        }
    }

    /// The body of `POST /v1/proofs/{id}/review`.
    struct ReviewRequest: RequestBody {
        let decision: String
        let reason: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case decision, reason }
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("jobs/{id}/proofs", use: record)
        group.get("proofs", use: list)
        group.get("proofs/{id}", use: get)
        group.post("proofs/{id}/review", use: review)
    }

    @Sendable func record(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Proof> {
        let jobID: UUID
        if let boundary = MultipartBoundary.parse(request.headers[.contentType]) {
            // The `app` adapter's key (inbound:write) uploads too, for a member it names.
            let principal = try context.requirePrincipal()
            guard principal.permissions.contains(.proofsWrite) || principal.permissions.contains(.inboundWrite) else {
                throw APIError(.forbidden, code: "forbidden", message: "uploading photos requires the 'proofs:write' permission, or 'inbound:write' (the app adapter) with a member_id")
            }
            jobID = try context.parameters.uuid("id", "job")
            return try await recordUpload(request, jobID: jobID, boundary: boundary, principal: principal)
        }
        let principal = try context.require(.proofsWrite)
        jobID = try context.parameters.uuid("id", "job")
        let body = try await JSONBody.decode(RecordRequest.self, from: request, context: context)
        let proof = NewProof(
            messageIDs: body.messageIds ?? [], mediaIDs: body.mediaIds ?? [],
            location: try JobFields.location(latitude: body.latitude, longitude: body.longitude),
            crewCode: try body.crewCode.map { try CrewCode.normalize($0) },
            note: try Validate.optionalText(body.note, field: "note", maxLength: 2000))
        guard let recorded = try await repository.record(proof, forJob: jobID, submittedBy: principal.reference, viewer: Viewer(principal)) else {
            throw APIError.notFound("job")
        }
        return .created(recorded, location: "/v1/proofs/\(recorded.id.uuidString.lowercased())")
    }

    /// Photos uploaded as `multipart/form-data` (`photo` parts, and `latitude`, `longitude`,
    /// `note`, `crew_code`, `member_id` fields), streamed and checked before anything is recorded.
    /// A key with `inbound:write` but not `proofs:write` (the `app` adapter) must name the member.
    private func recordUpload(_ request: Request, jobID: UUID, boundary: String, principal: Principal) async throws -> EditedResponse<Proof> {
        let viewer = Viewer(principal)
        // Refuse before reading megabytes for a job that cannot take them.
        guard try await repository.takesProofs(jobID, viewer: viewer) else { throw APIError.notFound("job") }
        let form = try await ProofUpload(intake: intake).read(request.body, boundary: boundary)
        let proof: NewProof
        do {
            func number(_ name: String) throws -> Double? {
                guard let text = form.fields[name] else { return nil }
                guard let value = Double(text.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError(field: name, message: "\(name) must be a number")
                }
                return value
            }
            guard !form.photos.isEmpty else { throw ValidationError(field: "photo", code: "missing_field", message: "upload at least one photo in the field 'photo'") }
            let memberID = try form.fields["member_id"].map { text in
                guard let id = UUID(uuidString: text.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError(field: "member_id", message: "member_id must be a UUID")
                }
                return id
            }
            if memberID == nil, !principal.permissions.contains(.proofsWrite) {
                throw ValidationError(
                    field: "member_id", code: "missing_field",
                    message: "an app key (inbound:write) uploads for a crew member: give member_id (or use a key with proofs:write)")
            }
            if let memberID { try await repository.checkMember(memberID, forJob: jobID, viewer: viewer) }
            proof = NewProof(
                messageIDs: [], mediaIDs: [],
                location: try JobFields.location(latitude: try number("latitude"), longitude: try number("longitude")),
                crewCode: try form.fields["crew_code"].map { try CrewCode.normalize($0) },
                note: try Validate.optionalText(form.fields["note"], field: "note", maxLength: 2000),
                memberID: memberID)
        } catch {
            await ProofUpload.discard(form)
            throw error
        }
        var withFiles = proof
        do {
            withFiles.uploads = try await ProofUpload.commit(form)
        } catch {
            await ProofUpload.discard(form)
            throw error
        }
        guard let recorded = try await repository.record(withFiles, forJob: jobID, submittedBy: principal.reference, viewer: viewer) else {
            throw APIError.notFound("job")
        }
        return .created(recorded, location: "/v1/proofs/\(recorded.id.uuidString.lowercased())")
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Page<Proof> {
        let principal = try context.require(.proofsRead)
        let query = QueryParameters(request)
        let page = try PageRequest(query)
        let filter = ProofFilter(
            orderNumber: query.string("order_number"), crewCode: query.string("crew_code")?.uppercased(),
            reviewState: try query.oneOf("review_state", ProofReviewState.self), jobID: try query.uuid("job_id"),
            updatedSince: try query.date("updated_since"))
        let proofs = try await repository.list(filter, page: page, viewer: Viewer(principal))
        return Page(fetched: proofs, limit: page.limit, id: \.id)
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> Proof {
        let principal = try context.require(.proofsRead)
        let id = try context.parameters.uuid("id", "proof")
        guard let proof = try await repository.get(id, viewer: Viewer(principal)) else { throw APIError.notFound("proof") }
        return proof
    }

    @Sendable func review(_ request: Request, context: AppRequestContext) async throws -> Proof {
        let principal = try context.require(.proofsWrite)
        let id = try context.parameters.uuid("id", "proof")
        let body = try await JSONBody.decode(ReviewRequest.self, from: request, context: context)
        guard let decision = ProofDecision(rawValue: body.decision) else {
            throw ValidationError(field: "decision", message: "decision must be one of: accepted, rejected")
        }
        guard let proof = try await repository.review(id, decision: decision, reason: body.reason, reviewer: principal.reference, viewer: Viewer(principal)) else {
            throw APIError.notFound("proof")
        }
        return proof
    }
}
