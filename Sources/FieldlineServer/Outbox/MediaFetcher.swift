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
        } catch let refusal as PhotoRefusal {
            // A truncated photo, a bomb, a script posing as a photo: fetching again changes nothing.
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
            media.id, tenantID: media.tenantID, stored: downloaded.stored, contentType: downloaded.contentType, facts: downloaded.facts,
            outboxID: item.id)
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

    /// The provider's plan (look the file up when needed, then download it with its
    /// credentials), run by the downloader.
    private func download(_ media: MediaSource) async throws -> MediaDownloader.Downloaded {
        guard let provider = ChannelProvider(rawValue: media.provider) else {
            throw SendFailure.permanent("unknown provider \(media.provider)")
        }
        let adapter = provider.adapter
        let account = adapter.mediaNeedsAccount ? try await account(media, provider).settings : nil
        let reference = MediaReference(
            providerMediaID: media.providerMediaID, url: media.url, mimeType: media.declaredType, sha256: media.declaredSHA256)
        let plan: MediaDownloadPlan
        do {
            plan = try adapter.mediaDownload(reference, account: account, apiBaseURL: urls[provider])
        } catch {
            if case .misconfigured(let setting) = error { throw SendFailure.misconfigured(setting) }
            throw SendFailure.permanent(error.description)
        }
        return try await downloader.download(plan)
    }

    /// The adapter the media came through, with its credentials.
    private func account(_ media: MediaSource, _ provider: ChannelProvider) async throws -> AdapterAccount {
        guard let adapterID = media.adapterID, let account = try await adapters.account(for: adapterID, provider: provider) else {
            throw SendFailure.permanent("the adapter was disabled or removed")
        }
        return account
    }

    /// 429 and 5xx are worth retrying; any other answer will not change.
    static func failure(_ error: MediaDownloader.StatusError) -> SendFailure {
        error.status == 429 || error.status >= 500
            ? .transient(error.description, retryAfter: error.retryAfter) : .permanent(error.description)
    }
}
