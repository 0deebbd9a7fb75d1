import FieldlineChannels
import FieldlineDomain
import Foundation
import HTTPTypes
import Hummingbird

/// The sandbox phone: `GET /sandbox` (the page) and `/v1/sandbox/{adapterId}/…`, what the page
/// reads and uploads. Every `/v1/sandbox` route needs the adapter's secret in `X-Sandbox-Secret`,
/// the same check as its webhooks; without it nothing is told, not even the members' names.
/// What the phone sends goes to the adapter's webhook URL, like any provider's.
struct SandboxController: Sendable {
    let adapters: any AdaptersRepository
    let phones: any SandboxPhonesRepository
    let store: any MediaStore
    let policy: MediaPolicy

    /// Adds the page to `router` and the phone's API to `v1`.
    func addRoutes(to router: Router<AppRequestContext>, v1: RouterGroup<AppRequestContext>) {
        router.get("sandbox") { _, _ -> Response in
            guard let page = BundledResource.text("sandbox.html") else { throw APIError.notFound("sandbox page") }
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-cache"],
                            body: .init(byteBuffer: ByteBuffer(string: page)))
        }
        v1.get("sandbox/{adapterId}/members", use: members)
        v1.put("sandbox/{adapterId}/members/{memberId}/phone", use: open)
        v1.get("sandbox/{adapterId}/phones/{phone}/messages", use: thread)
        v1.post("sandbox/{adapterId}/media", use: upload)
        v1.get("sandbox/{adapterId}/media/{sha256}", use: media)
    }

    @Sendable func members(_ request: Request, context: AppRequestContext) async throws -> ItemList<SandboxMember> {
        let account = try await account(request, context)
        return ItemList(data: try await phones.members(tenantID: account.tenantID))
    }

    /// Gives the member a sandbox identity (their id), so what the phone sends is theirs.
    @Sendable func open(_ request: Request, context: AppRequestContext) async throws -> SandboxMember {
        let account = try await account(request, context)
        let memberID = try context.parameters.uuid("memberId", "member")
        guard let member = try await phones.open(memberID: memberID, tenantID: account.tenantID) else { throw APIError.notFound("member") }
        return member
    }

    /// What the phone received and sent after `?after=` (the id of the last message the page shows).
    @Sendable func thread(_ request: Request, context: AppRequestContext) async throws -> ItemList<SandboxPhoneMessage> {
        let account = try await account(request, context)
        let phone = try IdentityKind.sandbox.normalize(externalID: context.parameters.get("phone") ?? "", field: "phone")
        let after = try QueryParameters(request).uuid("after")
        return ItemList(data: try await phones.thread(phone: phone, adapterID: account.adapter.id, after: after, tenantID: account.tenantID))
    }

    /// A photo (or any allowed media) the phone is about to send: stored under its SHA-256, which
    /// the phone's message names as `image.media_id`. Held to the media policy at once.
    @Sendable func upload(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<SandboxUpload> {
        _ = try await account(request, context)
        let upload = try await store.begin()
        do {
            var head: [UInt8] = []
            var size: Int64 = 0
            for try await chunk in request.body {
                size += Int64(chunk.readableBytes)
                try policy.check(size: size)
                if head.count < MediaSniffer.prefixLength { head += chunk.readableBytesView.prefix(MediaSniffer.prefixLength - head.count) }
                try await upload.write(chunk)
            }
            guard size > 0 else { throw ValidationError(field: "body", code: "missing_field", message: "send the file's bytes as the body") }
            let contentType = try policy.contentType(head: head, declared: request.headers[.contentType])
            let stored = try await upload.commit(expectedSHA256: nil)
            return .created(SandboxUpload(mediaId: stored.sha256, contentType: contentType, size: stored.size), location: nil)
        } catch let refusal as MediaRefusal {
            await upload.abort()
            if case .tooLarge = refusal { throw APIError(.contentTooLarge, code: "media_too_large", message: refusal.description) }
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type", message: refusal.description)
        } catch {
            await upload.abort()
            throw error
        }
    }

    /// A photo this phone sent, to show it again.
    @Sendable func media(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try await account(request, context)
        let sha256 = context.parameters.get("sha256") ?? ""
        guard SandboxInbound.isSHA256(sha256), try await phones.hasMedia(sha256: sha256, adapterID: account.adapter.id, tenantID: account.tenantID),
              let head = try await store.head(sha256: sha256, count: MediaSniffer.prefixLength),
              let body = try await store.body(sha256: sha256, context: context)
        else { throw APIError.notFound("media") }
        let type = (try? policy.contentType(head: head.bytes, declared: nil)) ?? "application/octet-stream"
        return Response(status: .ok, headers: [.contentType: type, .cacheControl: "private, max-age=3600"], body: body)
    }

    /// The sandbox adapter named in the URL, when the request carries its secret.
    private func account(_ request: Request, _ context: AppRequestContext) async throws -> AdapterAccount {
        let id = try context.parameters.uuid("adapterId", "adapter")
        guard let account = try await adapters.account(for: id, provider: .sandbox) else { throw APIError.notFound("sandbox adapter") }
        let headers = request.headers
        let webhook = InboundWebhook(body: [], url: "") { name in HTTPField.Name(name).flatMap { headers[$0] } }
        do {
            try account.providerAdapter.verify(webhook, account: account.settings)
        } catch {
            throw APIError(.unauthorized, code: "invalid_secret", message: "send the sandbox adapter's secret in X-Sandbox-Secret")
        }
        return account
    }
}

/// What an upload stored: the id the phone's message names, and what the bytes are.
struct SandboxUpload: ResponseEncodable, Sendable {
    let mediaId: String
    let contentType: String
    let size: Int64
}
