public import Hummingbird
import AtlasCore
import Foundation
public import Logging
import Store
import NIOCore
import Retrieval

/// Builds the HTTP service over `services`: routes, access control, backpressure, metrics, the web page.
/// The index is loaded into memory after the listener is up, so `/health` can say 503 meanwhile.
/// `onListening` receives the bound port (useful with port 0).
/// Throws when asked to listen beyond loopback while no API key exists.
public func buildApplication(
    services: AtlasServices, logger: Logger? = nil, onListening: @escaping @Sendable (Int) async -> Void = { _ in }
) throws -> some ApplicationProtocol {
    let settings = services.settings
    if !settings.isLoopback, try !services.store.hasAccessKeys() {
        throw AtlasError(
            .forbidden,
            "refusing to listen on '\(settings.host)' without API keys: create one with `atlasqa keys create --role reader`, or listen on 127.0.0.1")
    }
    let router = Router(context: AtlasRequestContext.self)
    router.add(middleware: EdgeMiddleware(metrics: services.metrics, retryAfterSeconds: settings.retryAfterSeconds))
    OperationsRoutes(services: services).register(on: router)
    WebPageRoutes().register(on: router)

    let v1 = router.group("v1").add(middleware: AccessMiddleware(store: services.store, loopbackOnly: settings.isLoopback))
    AskRoutes(services: services).register(on: v1)
    EntryRoutes(services: services).register(on: v1)
    ChatCompletionsRoutes(services: services).register(on: v1)
    AdminRoutes(services: services).register(on: v1)
    IngestRoutes(services: services).register(on: v1)

    let log = logger ?? {
        var l = Logger(label: "atlasqa.server")
        l.logLevel = .notice
        return l
    }()
    let metrics = services.metrics
    return Application(
        router: router,
        server: .http1(configuration: .init(additionalChannelHandlers: [ConnectionCounter(metrics: metrics)])),
        configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "AtlasQA"),
        onServerRunning: { channel in
            let port = channel.localAddress?.port ?? settings.port
            Task.detached {
                do {
                    let store = services.store
                    try await offThePool { try store.loadVectorIndex() }
                    // Not fatal: without the concept vectors questions are answered without them.
                    let retriever = services.retriever
                    do { try await offThePool { try retriever.prepare() } } catch {
                        log.warning("preparing the tissue concepts failed: \(error)")
                    }
                    services.readiness.markReady()
                } catch {
                    services.readiness.markFailed(String(describing: error))
                    log.error("loading the atlas index failed: \(error)")
                }
            }
            await onListening(port)
        },
        logger: log)
}

/// Builds the application and runs it until SIGINT or SIGTERM, then shuts down gracefully: the listener
/// closes and requests in flight are finished.
/// With `handleSignals` false (tests) it runs until its task is cancelled, which also shuts it down gracefully.
public func runApplication(
    services: AtlasServices, handleSignals: Bool = true, onListening: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws {
    let app = try buildApplication(services: services, onListening: onListening)
    if handleSignals {
        try await app.runService()
    } else {
        try await app.run()
    }
}
