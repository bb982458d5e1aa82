// swift-tools-version:6.0
import PackageDescription

/// Applied to every Swift target: Swift 6 language mode (strict concurrency) comes with the
/// tools version; these make the code say what it means.
let settings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let log: Target.Dependency = .product(name: "Logging", package: "swift-log")
let lifecycle: Target.Dependency = .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let unixSignals: Target.Dependency = .product(name: "UnixSignals", package: "swift-service-lifecycle")
let jwtKit: Target.Dependency = .product(name: "JWTKit", package: "jwt-kit")
let hummingbird: Target.Dependency = .product(name: "Hummingbird", package: "hummingbird")
let hummingbirdTesting: Target.Dependency = .product(name: "HummingbirdTesting", package: "hummingbird")
let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")
let yams: Target.Dependency = .product(name: "Yams", package: "Yams")
let mustache: Target.Dependency = .product(name: "Mustache", package: "swift-mustache")

let package = Package(
    name: "almanac",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "almanac", targets: ["almanac"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.1.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
    ],
    targets: [
        // MARK: C libraries (module map + shim only; imported by the client targets alone)
        .systemLibrary(name: "CNATS", pkgConfig: "libnats", providers: [.apt(["libnats-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),

        // MARK: Clients
        .target(name: "NATSClient", dependencies: ["CNATS", log], swiftSettings: settings),
        .target(name: "PostgresClient", dependencies: ["CLibPQ", log], swiftSettings: settings),
        .target(name: "HTTPClient", dependencies: ["CCurl", log], swiftSettings: settings),

        // MARK: Core
        .target(name: "Mail", dependencies: ["HTTPClient", "PostgresClient", log], swiftSettings: settings),
        .target(name: "EventStore", dependencies: ["NATSClient", log], swiftSettings: settings),
        .target(name: "Access", dependencies: ["HTTPClient", jwtKit, log], swiftSettings: settings),

        .target(name: "CommandBus", dependencies: ["NATSClient", "EventStore", log, lifecycle], swiftSettings: settings),

        // MARK: Domains (pure: Foundation only, no infrastructure; Flows adds YAML and Mustache parsing)
        .target(name: "Booking", swiftSettings: settings),
        .target(name: "Flows", dependencies: [yams, mustache], swiftSettings: settings),

        // MARK: Wiring of domains to infrastructure
        .target(name: "AlmanacEvents", dependencies: ["EventStore", "Booking", "Flows", "NATSClient"], swiftSettings: settings),
        .target(name: "BookingService", dependencies: ["Booking", "AlmanacEvents", "CommandBus", "EventStore", "NATSClient", log, lifecycle], swiftSettings: settings),
        .target(name: "Projections", dependencies: ["NATSClient", "PostgresClient", "EventStore", log, lifecycle], swiftSettings: settings),
        .target(name: "BookingReadModels", dependencies: ["Booking", "AlmanacEvents", "Projections", "PostgresClient", "EventStore"], swiftSettings: settings),
        .target(name: "FlowDesigner", dependencies: ["Flows", "AlmanacEvents", "EventStore", "NATSClient"], swiftSettings: settings),
        .target(name: "FlowReadModels", dependencies: ["Flows", "AlmanacEvents", "Projections", "PostgresClient", "EventStore"], swiftSettings: settings),

        // MARK: Flow runtime (issue 5): the job contract shared with flow-control, and the step-job service
        .target(name: "FlowWork", dependencies: ["Flows", "EventStore"], swiftSettings: settings),
        .target(
            name: "FlowRuntime",
            dependencies: ["FlowWork", "Flows", "AlmanacEvents", "EventStore", "NATSClient", "Mail", "HTTPClient", "CommandBus", "PostgresClient", log, lifecycle],
            swiftSettings: settings
        ),

        // MARK: Flow control (issue 5): triggers, runs, timers, job hand-over
        .target(
            name: "FlowControl",
            dependencies: ["FlowWork", "Flows", "Booking", "AlmanacEvents", "BookingService", "EventStore", "NATSClient", log, lifecycle],
            swiftSettings: settings
        ),

        // MARK: Operations
        .target(name: "LocalServers", dependencies: [log], swiftSettings: settings),
        .target(name: "OperatorTools", dependencies: ["NATSClient", "EventStore", log], swiftSettings: settings),

        // MARK: Web applications
        .target(
            name: "BookingWeb",
            dependencies: ["Access", "AlmanacEvents", "Booking", "BookingReadModels", "BookingService", "CommandBus", "EventStore", "HTTPClient", "NATSClient", "PostgresClient", "Projections", hummingbird, log],
            swiftSettings: settings
        ),

        // MARK: Executables (thin: argument parsing and assembly only)
        .executableTarget(
            name: "almanac",
            dependencies: [
                "NATSClient", "PostgresClient", "EventStore", "LocalServers", "OperatorTools", "Booking", "AlmanacEvents", "BookingService",
                "CommandBus", "Projections", "BookingReadModels", "BookingWeb", "Flows", "FlowDesigner", "FlowReadModels", "FlowRuntime", "FlowWork",
                "FlowControl", "Mail", "HTTPClient", argumentParser, log, lifecycle, unixSignals,
            ],
            swiftSettings: settings
        ),
        .executableTarget(
            name: "AlmanacBench",
            dependencies: ["NATSClient", "EventStore", "LocalServers", "PostgresClient", "Projections", argumentParser, log,
                           "Access", "AlmanacEvents", "Booking", "BookingReadModels", "BookingService", "BookingWeb", "CommandBus", "HTTPClient", hummingbird, "FlowControl", "FlowRuntime", "FlowWork", "Flows", "Mail"],
            swiftSettings: settings
        ),

        // MARK: Tests (real nats-server and PostgreSQL, started by TestSupport)
        .target(name: "TestSupport", dependencies: ["LocalServers", log], path: "Tests/TestSupport", swiftSettings: settings),
        .testTarget(name: "NATSClientTests", dependencies: ["NATSClient", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "PostgresClientTests", dependencies: ["PostgresClient", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "HTTPClientTests", dependencies: ["HTTPClient", "LocalServers", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "EventStoreTests", dependencies: ["EventStore", "NATSClient", "TestSupport"], exclude: ["Fixtures"], swiftSettings: settings),
        .testTarget(name: "LocalServersTests", dependencies: ["LocalServers", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "CommandBusTests", dependencies: ["CommandBus", "EventStore", "NATSClient", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "BookingServiceTests", dependencies: ["BookingService", "Booking", "AlmanacEvents", "BookingReadModels", "CommandBus", "EventStore", "NATSClient", "PostgresClient", "Projections", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "BookingWebTests", dependencies: ["BookingWeb", "Access", "AlmanacEvents", "Booking", "BookingReadModels", "BookingService", "CommandBus", "EventStore", "HTTPClient", "LocalServers", "NATSClient", "PostgresClient", "Projections", "TestSupport", hummingbird, hummingbirdTesting], exclude: ["Browser"], swiftSettings: settings),
        .testTarget(
            name: "BookingReadModelsTests",
            dependencies: ["BookingReadModels", "BookingService", "Booking", "AlmanacEvents", "Projections", "PostgresClient", "EventStore", "NATSClient", "CommandBus", "TestSupport"],
            swiftSettings: settings
        ),
        .testTarget(name: "AccessTests", dependencies: ["Access", "HTTPClient", jwtKit, "TestSupport"], swiftSettings: settings),
        .testTarget(name: "BookingTests", dependencies: ["Booking"], swiftSettings: settings),
        .testTarget(name: "FlowsTests", dependencies: ["Flows", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "AlmanacEventsTests", dependencies: ["AlmanacEvents", "EventStore", "Booking", "Flows", "NATSClient", "LocalServers", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "ProjectionsTests", dependencies: ["Projections", "NATSClient", "PostgresClient", "EventStore", "TestSupport", lifecycle], swiftSettings: settings),
        .testTarget(name: "OperatorToolsTests", dependencies: ["OperatorTools", "NATSClient", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "MailTests", dependencies: ["Mail", "HTTPClient", "PostgresClient", "TestSupport"], exclude: ["Fixtures"], swiftSettings: settings),
        .testTarget(name: "FlowDesignerTests", dependencies: ["FlowDesigner", "Flows", "AlmanacEvents", "EventStore", "NATSClient", "TestSupport"], swiftSettings: settings),
        .testTarget(
            name: "FlowReadModelsTests",
            dependencies: ["FlowReadModels", "FlowDesigner", "Flows", "AlmanacEvents", "Projections", "PostgresClient", "EventStore", "NATSClient", "TestSupport"],
            swiftSettings: settings
        ),
        .testTarget(
            name: "FlowRuntimeTests",
            dependencies: ["FlowRuntime", "FlowWork", "Flows", "AlmanacEvents", "EventStore", "NATSClient", "Mail", "HTTPClient", "PostgresClient", "LocalServers", "TestSupport",
                           "Booking", "BookingService", "CommandBus"],
            swiftSettings: settings
        ),
        .testTarget(
            name: "FlowControlTests",
            dependencies: ["FlowControl", "FlowRuntime", "FlowDesigner", "FlowWork", "Flows", "Booking", "BookingService", "AlmanacEvents", "CommandBus",
                           "EventStore", "NATSClient", "Mail", "PostgresClient", "LocalServers", "TestSupport"],
            swiftSettings: settings
        ),
        .testTarget(name: "AlmanacCLITests", dependencies: ["NATSClient", "TestSupport"], swiftSettings: settings),
    ]
)
