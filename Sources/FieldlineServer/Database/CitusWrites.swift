import Foundation
import Logging
import NIOPosix
import PostgresNIO
import Synchronization

/// What the write paths do differently when the database is a Citus coordinator
/// (docs/scaling.md): nothing on a single PostgreSQL, whose statements stay as they are.
///
/// Citus runs an `INSERT … SELECT` into a distributed table that it cannot push down to the
/// tenant's shard (a source of parameter arrays, an identity column, a volatile function) by
/// pulling the rows to the coordinator. Without `RETURNING` it then copies them to the shard
/// with `COPY`, which row-level security refuses; with `RETURNING` it stores them as an
/// intermediate result on the worker and inserts them from there with an `INSERT`, which row-level
/// security allows. So on Citus those statements carry a `RETURNING`, and business events, whose
/// webhook fan-out trigger cannot run on a shard, are fanned out by `fanOut`.
public enum CitusWrites {
    private static let citus = Atomic<Bool>(false)
    private static let answered = Atomic<Bool>(false)

    /// Whether the server's database is a Citus coordinator (set once at start, by `detect`).
    static var enabled: Bool { citus.load(ordering: .relaxed) }

    /// Asks the database whether the `citus` extension is installed, once, when the
    /// application is built, and before a command of the `fieldline` CLI writes through the
    /// repositories (`fieldline demo`, `tenant create`, ...). Returns whether it answered. A
    /// database that cannot be reached then leaves the single-PostgreSQL statements in place
    /// (writes fail anyway while it stays unreachable); the server asks again until it answers
    /// (`CitusDetection`) and says it is not ready meanwhile.
    @discardableResult
    public static func detect(_ settings: DatabaseSettings, logger: Logger, warn: Bool = true) async -> Bool {
        do {
            let connection = try await PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.any(), configuration: try settings.listenerConfiguration(), id: 1, logger: logger
            ).get()
            let found: Bool?
            do {
                found = try await connection.query(
                    "SELECT EXISTS (SELECT FROM pg_extension WHERE extname = 'citus')", logger: logger
                ).first { try $0.decode(Bool.self) }
            } catch {
                try? await connection.close()
                throw error
            }
            try? await connection.close()
            citus.store(found ?? false, ordering: .relaxed)
            answered.store(true, ordering: .relaxed)
            return true
        } catch {
            if warn {
                logger.warning("could not ask whether the database is Citus; asking again until it answers", metadata: [
                    "error": .string(error.logDescription),
                ])
            }
            return false
        }
    }

    /// Whether `detect` has had the database's answer in this process (`/ready` waits for it).
    static var isKnown: Bool { answered.load(ordering: .relaxed) }

    /// `RETURNING <columns>` on Citus, nothing elsewhere: for `INSERT … SELECT` statements into
    /// distributed tables (see the type's comment).
    static func returning(_ columns: String) -> String {
        enabled ? "\nRETURNING \(columns)" : ""
    }

    /// On Citus, the webhook fan-out that sql/031's trigger does on a single PostgreSQL, for the
    /// events `eventIDs` just written in this transaction: a delivery for each enabled endpoint of
    /// the tenant subscribed to each event's type, and a `webhook.deliver` outbox row for each
    /// endpoint with new deliveries unless one is already due. Nothing elsewhere.
    static func fanOut(_ eventIDs: [UUID], tenantID: UUID, connection: PostgresConnection, logger: Logger) async throws {
        guard enabled, !eventIDs.isEmpty else { return }
        let endpoints = try await connection.query("""
            INSERT INTO webhook_deliveries (tenant_id, endpoint_id, event_id, resource_id, event_txid, event_seq)
            SELECT n.tenant_id, w.id, n.id, n.resource_id, n.txid, n.seq
            FROM events n
            JOIN webhook_endpoints w ON w.tenant_id = n.tenant_id AND w.enabled AND n.type = ANY (w.event_types)
            WHERE n.tenant_id = \(tenantID) AND w.tenant_id = \(tenantID) AND n.id = ANY(\(eventIDs)::uuid[])
            RETURNING endpoint_id
            """, logger: logger).collect { try $0.decode(UUID.self) }
        guard !endpoints.isEmpty else { return }
        let woken = Array(Set(endpoints))
        try await connection.query("""
            INSERT INTO outbox (tenant_id, topic, payload)
            SELECT \(tenantID), 'webhook.deliver', jsonb_build_object('endpoint_id', k.endpoint_id::text)
            FROM unnest(\(woken)::uuid[]) AS k(endpoint_id)
            WHERE NOT EXISTS (
                SELECT 1 FROM outbox o
                WHERE o.topic = 'webhook.deliver' AND o.tenant_id = \(tenantID) AND o.payload->>'endpoint_id' = k.endpoint_id::text
                  AND o.done_at IS NULL AND o.dead_at IS NULL AND o.available_at <= now())
            """, logger: logger)
    }

    /// On Citus, locks the row `id` of `table` (`FOR UPDATE`) by itself, and returns true: Citus
    /// locks rows only in a single-shard plan, which a select with correlated subqueries on other
    /// tables (a job's or conversation's columns) is not, so the caller then selects without its
    /// own `FOR UPDATE`. Nothing, and false, elsewhere.
    static func lockAlone(_ table: StaticString, id: UUID, tenantID: UUID, connection: PostgresConnection, logger: Logger) async throws -> Bool {
        guard enabled else { return false }
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(tenantID)
        bindings.append(id)
        try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT 1 FROM \(table) WHERE tenant_id = $1 AND id = $2 FOR UPDATE", binds: bindings), logger: logger)
        return true
    }
}
