// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Fieldline",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "fieldline", targets: ["fieldline"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
    ],
    targets: [
        .target(
            name: "FieldlineDomain",
            swiftSettings: swiftSettings
        ),
        // Decoding JPEG, PNG, HEIC/HEIF and WebP for the perceptual hash, on Debian's libjpeg-turbo, libpng, libheif
        // and libwebp (libjpeg-dev, libpng-dev, libheif-dev, libwebp-dev; docs/jobs-and-proofs.md says why).
        .target(
            name: "CImageKit",
            linkerSettings: [.linkedLibrary("jpeg"), .linkedLibrary("png"), .linkedLibrary("heif"), .linkedLibrary("webp")]
        ),
        .target(
            name: "FieldlineChannels",
            dependencies: [
                "FieldlineDomain",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "FieldlineServer",
            dependencies: [
                "FieldlineDomain",
                "FieldlineChannels",
                "CImageKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            resources: [.copy("Resources/openapi.yaml"), .copy("Resources/sandbox.html")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "fieldline",
            dependencies: [
                "FieldlineServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // Builders of test files (EXIF blocks, image headers, encoded photos) shared by the test targets.
        .target(
            name: "FieldlineTestSupport",
            dependencies: ["FieldlineDomain", "CImageKit"],
            path: "Tests/FieldlineTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FieldlineDomainTests",
            dependencies: ["FieldlineDomain", "FieldlineTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FieldlineChannelsTests",
            dependencies: ["FieldlineChannels"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FieldlineServerTests",
            dependencies: [
                "FieldlineServer",
                "FieldlineTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
