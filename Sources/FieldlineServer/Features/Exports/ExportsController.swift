import FieldlineDomain
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /v1/exports/jobs` and `GET /v1/exports/proofs`: every job or proof of a period, as CSV
/// or JSON lines, for an ERP's nightly import (docs/erp-integration.md). The answer streams:
/// the server holds one page of rows at a time, whatever the tenant's size, and reads each page
/// in a transaction of its own. Rows come in id order (creation order), so the same question
/// gives the same file while nothing changes.
struct ExportsController: Sendable {
    let repository: any ExportsRepository
    let links: MediaLinks
    let publicURL: String
    /// Rows read and written per page.
    var pageSize = 500

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("exports/jobs", use: jobs)
        group.get("exports/proofs", use: proofs)
    }

    @Sendable func jobs(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.jobsRead)
        let export = try ExportRequest(request, dates: ["created": "created_at", "updated": "updated_at", "status_changed": "status_changed_at"])
        let query = QueryParameters(request)
        let filter = JobExportFilter(
            status: try query.oneOf("status", JobStatus.self), organizationID: try query.uuid("organization_id"),
            crewCode: query.string("crew_code")?.uppercased())
        let (repository, viewer, size) = (self.repository, Viewer(principal), pageSize)
        return try await stream(export, name: "jobs", Job.self) { after in
            try await repository.jobs(export, filter, after: after, limit: size, viewer: viewer)
        }
    }

    @Sendable func proofs(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.proofsRead)
        let export = try ExportRequest(request, dates: ["submitted": "submitted_at", "updated": "updated_at", "reviewed": "reviewed_at"])
        let query = QueryParameters(request)
        let filter = ProofExportFilter(
            reviewState: try query.oneOf("review_state", ProofReviewState.self), crewCode: query.string("crew_code"),
            orderNumber: query.string("order_number"))
        let (repository, viewer, size) = (self.repository, Viewer(principal), pageSize)
        let link = mediaLink(export, tenantID: principal.tenantID)
        return try await stream(export, name: "proofs", ProofExportRow.self) { after in
            try await repository.proofs(export, filter, after: after, limit: size, viewer: viewer, link: link)
        }
    }

    /// How a file is linked: its API URL, or a signed link valid for the export's `expires_in`.
    private func mediaLink(_ export: ExportRequest, tenantID: UUID) -> @Sendable (UUID) -> String {
        let (links, base) = (self.links, publicURL)
        switch export.links {
        case .api:
            return { "\(base)/v1/media/\($0.uuidString.lowercased())/content" }
        case .signed:
            let expiresAt = Date().addingTimeInterval(TimeInterval(export.linkLifetime))
            return { "\(base)/v1/media-links/\(links.token(mediaID: $0, tenantID: tenantID, expiresAt: expiresAt))" }
        }
    }

    /// The export as a streamed attachment. The first page is read before answering, so a failure
    /// to read is a proper error status; later pages are read as the client takes the bytes (a
    /// failure then cuts the transfer short, which an HTTP client reports as an incomplete body).
    private func stream<Record: ExportRecord & Identified>(
        _ export: ExportRequest, name: String, _ type: Record.Type, page: @escaping @Sendable (UUID?) async throws -> [Record]
    ) async throws -> Response {
        let first = try await page(nil)
        let (format, size) = (export.format, pageSize)
        var headers = HTTPFields()
        headers[.contentType] = export.contentType
        headers[.contentDisposition] = "attachment; filename=\"\(export.fileName(name))\""
        headers[.cacheControl] = "no-store"
        let body = ResponseBody { writer in
            var buffer = ByteBuffer()
            if format == .csv { buffer.writeString(CSV.line(Record.csvHeader.map { .text($0) })) }
            var rows = first
            while true {
                for row in rows { buffer.writeString(try row.line(format)) }
                try await writer.write(buffer)
                buffer = ByteBuffer()
                guard rows.count == size, let last = rows.last?.id else { break }
                rows = try await page(last)
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}

/// A record with an id, the export's page key.
protocol Identified {
    var id: UUID { get }
}

extension Job: Identified {}
extension ProofExportRow: Identified {}
