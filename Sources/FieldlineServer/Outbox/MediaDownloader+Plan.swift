import FieldlineChannels
import FieldlineDomain

/// Running a provider's `MediaDownloadPlan` with this downloader's HTTP client.
extension MediaDownloader {
    /// Looks the file up when the plan says so, then downloads it; when the download answers
    /// with one of the look-up's `lookUpAgainOn` statuses (an expired URL), looks it up once more.
    func download(_ plan: MediaDownloadPlan) async throws -> Downloaded {
        switch plan {
        case .get(let file):
            return try await download(file)
        case .lookUp(let lookUp):
            var lookedUpAgain = false
            while true {
                let file = try lookUp.read(try await fetchJSON(lookUp.url, headers: lookUp.headers))
                do {
                    return try await download(file)
                } catch let error as StatusError where lookUp.lookUpAgainOn.contains(error.status) && !lookedUpAgain {
                    lookedUpAgain = true
                }
            }
        case .stored(let sha256, let declaredType):
            return try await stored(sha256, declaredType: declaredType)
        }
    }

    /// A file already in the store (the sandbox phone's upload), held to the same policy as a download.
    private func stored(_ sha256: String, declaredType: String?) async throws -> Downloaded {
        guard let (size, head) = try await intake.store.head(sha256: sha256, count: MediaSniffer.prefixLength) else {
            throw StatusError(status: 404, detail: "the file \(sha256) is not in the media store", retryAfter: nil)
        }
        try policy.check(size: size)
        let contentType = try policy.contentType(head: head, declared: declaredType)
        // Evidence facts need the file on local disk (PhotoInspector); the sandbox's uploads go without them for now.
        return Downloaded(stored: StoredMedia(sha256: sha256, size: size), contentType: contentType, facts: nil)
    }

    /// One file: its announced size checked against the policy first, its announced SHA-256 after.
    private func download(_ file: MediaDownload) async throws -> Downloaded {
        if let size = file.size { try policy.check(size: size) }
        return try await download(file.url, headers: file.headers, declaredType: file.declaredType, expectedSHA256: file.sha256)
    }
}
