import Foundation
import PostgresNIO

/// `IdempotencyRepository` on PostgreSQL; keys are kept for 24 hours (pruned by retention).
struct PostgresIdempotencyRepository: IdempotencyRepository {
    let database: Database
    /// How long a claim may stay unfinished before a retry takes it over
    /// (`IDEMPOTENCY_IN_PROGRESS_SECONDS`): longer than any request runs, so only a claim whose
    /// server died is taken over.
    var inProgressBound: Duration = .seconds(120)

    private var boundSeconds: Double { Double(inProgressBound.components.seconds) }

    func claim(key: String, requestHash: [UInt8], principal: Principal) async throws -> IdempotencyClaim {
        let tenantID = principal.tenantID
        let caller = principal.reference
        let hash = ByteBuffer(bytes: requestHash)
        let bound = boundSeconds
        return try await database.withTenant(tenantID) { connection in
            try await deleteExpired(key: key, caller: caller, tenantID: tenantID, connection)
            let inserted = try await connection.query("""
                INSERT INTO idempotency_keys (tenant_id, principal, key, request_hash)
                VALUES (\(tenantID), \(caller), \(key), \(hash))
                ON CONFLICT DO NOTHING RETURNING key
                """, logger: database.logger)
            for try await _ in inserted.decode(String.self) { return .claimed }
            // The same request claimed long ago and never finished: its server died mid-work.
            let takenOver = try await connection.query("""
                UPDATE idempotency_keys SET created_at = now()
                WHERE tenant_id = \(tenantID) AND principal = \(caller) AND key = \(key) AND request_hash = \(hash)
                  AND status_code IS NULL AND created_at < now() - \(bound) * interval '1 second'
                RETURNING key
                """, logger: database.logger)
            for try await _ in takenOver.decode(String.self) { return .claimed }
            // Deleted between our insert attempt and the read: treat as in progress; a retry succeeds.
            return try await stored(key: key, caller: caller, tenantID: tenantID, hash: hash, connection) ?? .inProgress
        }
    }

    func complete(key: String, principal: Principal, response: StoredResponse) async throws {
        let tenantID = principal.tenantID
        try await database.withTenant(tenantID) { connection in
            try await connection.query("""
                UPDATE idempotency_keys
                SET status_code = \(response.status), content_type = \(response.contentType), response_body = \(response.body)
                WHERE tenant_id = \(tenantID) AND principal = \(principal.reference) AND key = \(key)
                """, logger: database.logger)
        }
    }

    func release(key: String, principal: Principal) async throws {
        let tenantID = principal.tenantID
        try await database.withTenant(tenantID) { connection in
            try await connection.query("""
                DELETE FROM idempotency_keys
                WHERE tenant_id = \(tenantID) AND principal = \(principal.reference) AND key = \(key)
                """, logger: database.logger)
        }
    }

    func inWorkTransaction<T: Sendable>(
        key: String, requestHash: [UInt8], principal: Principal,
        _ body: (IdempotencyClaim) async throws -> (T, StoredResponse?)
    ) async throws -> T {
        let tenantID = principal.tenantID
        let caller = principal.reference
        let hash = ByteBuffer(bytes: requestHash)
        let logger = database.logger
        return try await database.withWorkTransaction(tenantID) { work in
            let connection = work.connection
            // Held until this transaction ends, however it ends (a dead server's included): the
            // key is in progress exactly while a transaction holds it, and no row says so.
            let locked = try await connection.query("""
                SELECT pg_try_advisory_xact_lock(hashtextextended(\(tenantID.uuidString) || '/' || \(caller) || '/' || \(key), 15))
                """, logger: logger).first { try $0.decode(Bool.self) } ?? false
            guard locked else { return try await body(.inProgress).0 }
            try await deleteExpired(key: key, caller: caller, tenantID: tenantID, connection)
            var claim = try await stored(key: key, caller: caller, tenantID: tenantID, hash: hash, connection) ?? .claimed
            if case .inProgress = claim {
                // Left by a claim outside a work transaction: taken over once it is stale.
                let stale = try await connection.query("""
                    DELETE FROM idempotency_keys
                    WHERE tenant_id = \(tenantID) AND principal = \(caller) AND key = \(key) AND status_code IS NULL
                      AND created_at < now() - \(boundSeconds) * interval '1 second'
                    RETURNING key
                    """, logger: logger)
                for try await _ in stale.decode(String.self) { claim = .claimed }
            }
            let (answer, response) = try await body(claim)
            if case .claimed = claim, let response {
                try await connection.query("""
                    INSERT INTO idempotency_keys (tenant_id, principal, key, request_hash, status_code, content_type, response_body)
                    VALUES (\(tenantID), \(caller), \(key), \(hash), \(response.status), \(response.contentType), \(response.body))
                    """, logger: logger)
            }
            return answer
        }
    }

    /// Drops the key's row once it is older than a day, so the key can be used again.
    private func deleteExpired(key: String, caller: String, tenantID: UUID, _ connection: PostgresConnection) async throws {
        try await connection.query("""
            DELETE FROM idempotency_keys
            WHERE tenant_id = \(tenantID) AND principal = \(caller) AND key = \(key)
              AND created_at < now() - interval '24 hours'
            """, logger: database.logger)
    }

    /// What the key's row says about a request with `hash`; nil when there is no row.
    private func stored(key: String, caller: String, tenantID: UUID, hash: ByteBuffer, _ connection: PostgresConnection) async throws -> IdempotencyClaim? {
        let rows = try await connection.query("""
            SELECT request_hash, status_code, content_type, response_body FROM idempotency_keys
            WHERE tenant_id = \(tenantID) AND principal = \(caller) AND key = \(key)
            """, logger: database.logger)
        for try await (storedHash, status, contentType, body) in rows.decode((ByteBuffer, Int?, String?, ByteBuffer?).self) {
            guard storedHash == hash else { return .mismatch }
            guard let status else { return .inProgress }
            return .replay(StoredResponse(status: status, contentType: contentType, body: body ?? ByteBuffer()))
        }
        return nil
    }
}
