import FieldlineChannels
import FieldlineDomain
import Foundation

/// Fetches one inbound media file (outbox topic `media.fetch`) from its provider into the media
/// store, and records the result on the media row in the transaction that completes the outbox
/// row. Transient failures (5xx, 429, timeouts) are retried by the outbox worker; refusals
/// (size, type) and 4xx answers fail at once, visibly on the media row.
struct MediaFetcher: Sendable {
    let repository: any MediaRepository
    let adapters: any AdaptersRepository
    let downloader: MediaDownloader
    let urls: ProviderURLs

    /// Fetches the media of a `media.fetch` row (see `FetchMedia`).
    func fetch(_ payload: FetchMedia.Payload, item: OutboxItem) async throws {
        let media = try await source(of: payload, item: item)
        guard media.status == .pending else {
            // Already fetched or failed (e.g. a lease ran out mid-download): nothing left to do.
            return try await repository.completeOutbox(item.id, tenantID: item.tenantID)
        }
        let downloaded: MediaDownloader.Downloaded
        do {
            downloaded = try await download(media)
        } catch let refusal as MediaRefusal {
            throw SendFailure.permanent(refusal.description)
        } catch let error as MediaDownloader.StatusError {
            throw Self.failure(error)
        } catch let error as SHA256Mismatch {
            // A truncated or altered download; a new attempt may get the whole file.
            throw SendFailure.transient(error.description, retryAfter: nil)
        } catch let error as ChannelParseError {
            throw SendFailure.permanent(error.description)
        } catch let error as SendFailure {
            throw error
        } catch {
            throw SendFailure.transient("could not download the media: \(error)", retryAfter: nil)
        }
        try await repository.markFetched(
            media.id, tenantID: media.tenantID, stored: downloaded.stored, contentType: downloaded.contentType, outboxID: item.id)
    }

    /// The outbox row gave up: the media row says why.
    func markFailed(_ payload: FetchMedia.Payload, item: OutboxItem, reason: String) async throws {
        try await repository.markFailed(payload.mediaID, tenantID: item.tenantID, error: reason)
    }

    /// The outbox row will be retried: the media row shows the attempt and its error meanwhile.
    func noteRetry(_ payload: FetchMedia.Payload, item: OutboxItem, reason: String) async throws {
        try await repository.noteRetry(payload.mediaID, tenantID: item.tenantID, error: reason)
    }

    private func source(of payload: FetchMedia.Payload, item: OutboxItem) async throws -> MediaSource {
        guard let media = try await repository.source(payload.mediaID, tenantID: item.tenantID) else {
            throw SendFailure.permanent("media \(payload.mediaID.uuidString.lowercased()) no longer exists")
        }
        return media
    }

    /// The provider's flow: resolve the media id when needed, then download with its credentials.
    private func download(_ media: MediaSource) async throws -> MediaDownloader.Downloaded {
        switch ChannelProvider(rawValue: media.provider) {
        case .messenger:
            // Attachment URLs are public CDN links: a plain GET.
            return try await downloader.download(try required(media.url, "url"), headers: [], declaredType: media.declaredType)
        case .whatsapp:
            let token = try await account(media, .whatsapp).secrets.accessToken
            let expected = media.declaredSHA256.flatMap(Self.hex(ofProviderSHA256:))
            return try await whatsApp(
                try required(media.providerMediaID, "media id"), token: token, declaredType: media.declaredType, expectedSHA256: expected)
        case .telegram:
            let bot = TelegramBot(token: try await account(media, .telegram).secrets.accessToken)
            let lookup = TelegramFile.infoRequest(fileID: try required(media.providerMediaID, "file_id"), bot: bot)
            let info = try TelegramFile.parseInfo(try await downloader.fetchJSON(urls.telegram + lookup.path, headers: lookup.headers))
            if let size = info.fileSize { try downloader.policy.check(size: size) }
            return try await downloader.download(urls.telegram + TelegramFile.downloadPath(info, bot: bot), headers: [], declaredType: media.declaredType)
        case .sms:
            let secrets = try await account(media, .sms).secrets
            let url = try MediaDownloader.httpURL(try required(media.url, "url"))
            guard let accountSID = secrets.accountSID else { throw SendFailure.misconfigured("the account SID is missing") }
            // Basic auth goes only to the configured Twilio API origin, never to another host.
            let onTwilio = URL(string: urls.twilio).map { MediaDownloader.sameOrigin($0, url) } ?? false
            let headers = onTwilio ? [TwilioMedia.authorization(TwilioAccount(accountSID: accountSID, authToken: secrets.accessToken))] : []
            return try await downloader.download(url.absoluteString, headers: headers, declaredType: media.declaredType)
        case nil:
            throw SendFailure.permanent("unknown provider \(media.provider)")
        }
    }

    /// The adapter the media came through, with its credentials.
    private func account(_ media: MediaSource, _ provider: ChannelProvider) async throws -> AdapterAccount {
        guard let adapterID = media.adapterID, let account = try await adapters.account(for: adapterID, provider: provider) else {
            throw SendFailure.permanent("the adapter was disabled or removed")
        }
        return account
    }

    /// WhatsApp: media id → short-lived URL → bytes, both with the bearer token. The URL expires
    /// after five minutes, so a 401/403/404 on the download looks the id up once more.
    private func whatsApp(
        _ mediaID: String, token: String, declaredType: String?, expectedSHA256: String?
    ) async throws -> MediaDownloader.Downloaded {
        let lookup = WhatsAppMedia.infoRequest(mediaID: mediaID, account: WhatsAppAccount(phoneNumberID: "", accessToken: token))
        let bearer = lookup.headers
        var resolvedAgain = false
        while true {
            let info = try WhatsAppMedia.parseInfo(try await downloader.fetchJSON(urls.whatsapp + lookup.path, headers: bearer))
            if let size = info.fileSize { try downloader.policy.check(size: size) }
            do {
                return try await downloader.download(
                    info.url, headers: bearer, declaredType: declaredType ?? info.mimeType,
                    expectedSHA256: expectedSHA256 ?? info.sha256.flatMap(Self.hex(ofProviderSHA256:)))
            } catch let error as MediaDownloader.StatusError where [401, 403, 404].contains(error.status) && !resolvedAgain {
                resolvedAgain = true
            }
        }
    }

    private func required(_ value: String?, _ what: String) throws -> String {
        guard let value, !value.isEmpty else { throw SendFailure.permanent("the media has no \(what)") }
        return value
    }

    /// 429 and 5xx are worth retrying; any other answer will not change.
    static func failure(_ error: MediaDownloader.StatusError) -> SendFailure {
        error.status == 429 || error.status >= 500
            ? .transient(error.description, retryAfter: error.retryAfter) : .permanent(error.description)
    }

    /// A provider's SHA-256 (Base64 as WhatsApp sends it, or hex) as lowercase hex; nil when it is neither.
    static func hex(ofProviderSHA256 value: String) -> String? {
        if value.count == 64, value.allSatisfy(\.isHexDigit) { return value.lowercased() }
        guard let data = Data(base64Encoded: value), data.count == 32 else { return nil }
        return data.map { String(format: "%02x", $0) }.joined()
    }
}
