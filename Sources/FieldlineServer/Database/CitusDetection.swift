import Logging
import ServiceLifecycle

/// Asks the database whether it is Citus every second until it answers, when it could not be
/// reached as the application was built (a server started before its database, as a container
/// platform may do). Until then the server writes as for a single PostgreSQL, which on Citus
/// would skip what the code does there instead of the triggers (the events' webhook fan-out, the
/// job-status flows), so `/ready` says unavailable meanwhile.
struct CitusDetection: Service {
    let settings: DatabaseSettings
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !CitusWrites.isKnown {
                do { try await Task.sleep(for: .seconds(1)) } catch { return }
                if await CitusWrites.detect(settings, logger: logger, warn: false) {
                    logger.notice("the database answered", metadata: ["citus": .stringConvertible(CitusWrites.enabled)])
                }
            }
        }
        // A service group stops the whole server when one of its services returns early.
        try? await gracefulShutdown()
    }
}
