import Crypto
import Foundation

/// AWS Signature Version 4 for S3 requests (header auth), written here rather than taken from an
/// SDK: S3 needs five calls, and the AWS SDK would be the largest dependency of the server.
/// Checked against the published example of the S3 documentation in the unit tests.
struct SigV4: Sendable {
    let accessKeyID: String
    let secretAccessKey: String
    let region: String
    var service = "s3"

    /// SHA-256 of an empty payload (hex).
    static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// A request to sign: `path` as sent (each segment URI-encoded), `query` unencoded.
    struct Request {
        var method: String
        var path: String
        var query: [(String, String)] = []
        /// Headers to sign (host included); names any case.
        var headers: [(String, String)]
        /// Hex SHA-256 of the payload, or `UNSIGNED-PAYLOAD`.
        var payloadHash: String
    }

    /// What signing produced.
    struct Signed {
        let canonicalRequest: String
        let stringToSign: String
        let signature: String
        let authorization: String
    }

    /// Signs `request` at `date`; the caller sends `x-amz-date` (`yyyyMMdd'T'HHmmss'Z'`) and
    /// `x-amz-content-sha256`, which must be among the signed headers.
    func sign(_ request: Request, date: Date) -> Signed {
        let stamp = Self.timestamp(date)
        let day = String(stamp.prefix(8))
        let headers = request.headers
            .map { ($0.0.lowercased(), $0.1.trimmingCharacters(in: .whitespaces)) }
            .sorted { $0.0 < $1.0 }
        let signedHeaders = headers.map(\.0).joined(separator: ";")
        let encoded: [(String, String)] = request.query.map { (Self.encode($0.0), Self.encode($0.1)) }
        let sorted = encoded.sorted { (a: (String, String), b: (String, String)) -> Bool in a.0 == b.0 ? a.1 < b.1 : a.0 < b.0 }
        let query: String = sorted.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        let headerLines: String = headers.map { "\($0.0):\($0.1)\n" }.joined()
        let parts: [String] = [request.method, request.path, query, headerLines, signedHeaders, request.payloadHash]
        let canonicalRequest = parts.joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", stamp, scope, Self.hex(SHA256.hash(data: Data(canonicalRequest.utf8)))].joined(separator: "\n")
        var key = SymmetricKey(data: Data("AWS4\(secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return Signed(canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: signature, authorization: authorization)
    }

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC.
    static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }

    /// URI-encodes per SigV4: every byte except `A-Z a-z 0-9 - _ . ~` (and `/` when `slash` is false).
    static func encode(_ text: String, keepSlash: Bool = false) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepSlash:
                out.append("/")
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
