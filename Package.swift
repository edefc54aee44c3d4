// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Holdfast",
    products: [
        .executable(name: "holdfast", targets: ["holdfast"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibevent",
            pkgConfig: "libevent",
            providers: [.apt(["libevent-dev"])]
        ),
        .systemLibrary(
            name: "CHiredis",
            pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),
        .systemLibrary(
            name: "CTLS",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        .target(name: "CTLSHeap", dependencies: ["CTLS"]),
        .target(name: "Wire"),
        .target(name: "EventLoop", dependencies: ["CLibevent", "CHiredis", "CTLS", "CTLSHeap", "TLSRecords", "Wire"]),
        .target(name: "TLSRecords", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "HTTP1"),
        .target(name: "WebSocket", dependencies: ["Wire", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Auth", dependencies: [
            "GRIP",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
        ]),
        .target(name: "Config", dependencies: ["Auth", .product(name: "TOMLKit", package: "TOMLKit")]),
        .target(name: "GRIP", dependencies: ["Wire", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Proxy", dependencies: [
            "EventLoop", "HTTP1", "WebSocket", "Config", "GRIP", "Auth", "Wire",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "DequeModule", package: "swift-collections"),
        ]),
        .executableTarget(name: "holdfast", dependencies: [
            "Proxy", "Config",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "HTTP1Tests", dependencies: ["HTTP1"]),
        .testTarget(name: "ConfigTests", dependencies: ["Config", .product(name: "TOMLKit", package: "TOMLKit")]),
        .testTarget(name: "GRIPTests", dependencies: ["GRIP", "Wire"]),
        .testTarget(name: "AuthTests", dependencies: [
            "Auth", "GRIP",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
        ]),
        .testTarget(name: "ProxyTests", dependencies: ["Proxy", "Wire"]),
        .testTarget(name: "WireTests", dependencies: ["Wire"]),
        .testTarget(name: "WebSocketTests", dependencies: ["WebSocket"]),
        .testTarget(name: "TLSRecordsTests", dependencies: ["TLSRecords"]),
        .testTarget(name: "TLSHeapTests", dependencies: ["CTLSHeap"]),
        .testTarget(name: "IntegrationTests", dependencies: [
            "Config", "GRIP", .product(name: "Crypto", package: "swift-crypto"),
        ], resources: [.copy("Fixtures")]),
    ]
)
