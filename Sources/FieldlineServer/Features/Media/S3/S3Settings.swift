import Foundation

/// Where an S3-compatible media store is and how to reach it (`MEDIA_STORE=s3`).
public struct S3Settings: Sendable, Equatable {
    public var bucket: String
    public var region: String
    /// `scheme://host[:port]`, no trailing slash (AWS: `https://s3.<region>.amazonaws.com`).
    public var endpoint: String
    public var accessKeyID: String
    public var secretAccessKey: String
    /// Prepended to every object key (e.g. `fieldline/`).
    public var prefix: String
    /// `https://endpoint/bucket/key` (MinIO, moto, most S3-compatible servers) instead of
    /// `https://bucket.endpoint/key`.
    public var pathStyle: Bool
    /// Files above this go up as a multipart upload in parts of this size (at least 5 MiB, S3's minimum part).
    public var partSize: Int

    /// Settings given explicitly.
    public init(bucket: String, region: String, endpoint: String, accessKeyID: String, secretAccessKey: String,
                prefix: String = "", pathStyle: Bool = true, partSize: Int = 8 * 1024 * 1024) {
        self.bucket = bucket
        self.region = region
        self.endpoint = endpoint
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.prefix = prefix
        self.pathStyle = pathStyle
        self.partSize = partSize
    }

    /// `S3_BUCKET`, `S3_REGION`, `S3_ENDPOINT`, `S3_ACCESS_KEY_ID`, `S3_SECRET_ACCESS_KEY`,
    /// `S3_PREFIX`, `S3_PATH_STYLE`, `S3_PART_SIZE`.
    static func read(_ reader: EnvironmentReader) throws -> S3Settings {
        let bucket = try reader.required("S3_BUCKET")
        guard bucket.range(of: "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", options: .regularExpression) != nil else {
            throw ConfigError(variable: "S3_BUCKET", problem: "is not a valid bucket name")
        }
        let region = reader.string("S3_REGION", default: "us-east-1")
        let endpoint = try reader.url("S3_ENDPOINT", default: "https://s3.\(region).amazonaws.com")
        let custom = reader.value("S3_ENDPOINT") != nil
        let pathStyle: Bool
        switch reader.value("S3_PATH_STYLE")?.lowercased() {
        case nil: pathStyle = custom
        case "true", "1", "yes": pathStyle = true
        case "false", "0", "no": pathStyle = false
        default: throw ConfigError(variable: "S3_PATH_STYLE", problem: "must be true or false")
        }
        return S3Settings(
            bucket: bucket, region: region, endpoint: endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint,
            accessKeyID: try reader.required("S3_ACCESS_KEY_ID"), secretAccessKey: try reader.required("S3_SECRET_ACCESS_KEY"),
            prefix: reader.string("S3_PREFIX", default: ""), pathStyle: pathStyle,
            partSize: try reader.int("S3_PART_SIZE", default: 8 * 1024 * 1024, range: (5 * 1024 * 1024)...(1 << 30)))
    }
}
