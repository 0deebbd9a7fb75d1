import Foundation
import Hummingbird
import Prometheus

/// `/health` (the process is up), `/ready` (database reachable and migrations current) and
/// `/metrics` (Prometheus text format).
struct HealthController: Sendable {
    let database: Database
    let migrations: [MigrationFile]
    let registry: PrometheusCollectorRegistry

    struct Status: ResponseEncodable {
        let status: String
        let checks: [String: String]
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("health") { _, _ in Status(status: "ok", checks: [:]) }
        router.get("ready", use: ready)
        router.get("metrics", use: metrics)
    }

    @Sendable func ready(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Status> {
        let migrator = Migrator(client: database.client, files: migrations, logger: context.logger)
        let check: (String, String)
        do {
            let pending = try await withTimeout(.seconds(2)) { try await migrator.pending() }
            check = pending.isEmpty ? ("ok", "ok") : ("unavailable", "\(pending.count) pending: \(pending.map(\.filename).joined(separator: ", "))")
        } catch let error as MigrationError {
            check = ("unavailable", error.description)
        } catch {
            check = ("unavailable", "database unreachable")
        }
        var ready = check.0 == "ok"
        var checks = ["database": ready ? "ok" : check.1]
        if !CitusWrites.isKnown {
            // Its statements depend on the answer (CitusDetection asks until it has it).
            ready = false
            checks["database_kind"] = "not yet known: the server asks the database whether it is Citus until it answers"
        }
        return EditedResponse(
            status: ready ? .ok : .serviceUnavailable,
            response: Status(status: ready ? "ready" : "unavailable", checks: checks))
    }

    @Sendable func metrics(_ request: Request, context: AppRequestContext) async throws -> Response {
        await DatabaseGauges(database: database, registry: registry).update(logger: context.logger)
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
    }
}

/// Runs `work`, giving up after `timeout`.
func withTimeout<T: Sendable>(_ timeout: Duration, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await work() }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw CancellationError()
        }
        defer { group.cancelAll() }
        guard let result = try await group.next() else { throw CancellationError() }
        return result
    }
}
