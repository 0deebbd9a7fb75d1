import Foundation
import PostgresNIO

/// `IdempotencyRepository` on PostgreSQL; keys are kept for 24 hours.
struct PostgresIdempotencyRepository: IdempotencyRepository {
    let database: Database

    func claim(key: String, requestHash: [UInt8], principal: Principal) async throws -> IdempotencyClaim {
        let tenantID = principal.tenantID
        let caller = principal.reference
        let hash = ByteBuffer(bytes: requestHash)
        return try await database.withTenant(tenantID) { connection in
            try await connection.query("""
                DELETE FROM idempotency_keys
                WHERE tenant_id = \(tenantID) AND principal = \(caller) AND key = \(key)
                  AND created_at < now() - interval '24 hours'
                """, logger: database.logger)
            let inserted = try await connection.query("""
                INSERT INTO idempotency_keys (tenant_id, principal, key, request_hash)
                VALUES (\(tenantID), \(caller), \(key), \(hash))
                ON CONFLICT DO NOTHING RETURNING key
                """, logger: database.logger)
            for try await _ in inserted.decode(String.self) { return .claimed }
            let rows = try await connection.query("""
                SELECT request_hash, status_code, content_type, response_body FROM idempotency_keys
                WHERE tenant_id = \(tenantID) AND principal = \(caller) AND key = \(key)
                """, logger: database.logger)
            for try await (storedHash, status, contentType, body) in rows.decode((ByteBuffer, Int?, String?, ByteBuffer?).self) {
                guard storedHash == hash else { return .mismatch }
                guard let status else { return .inProgress }
                return .replay(StoredResponse(status: status, contentType: contentType, body: body ?? ByteBuffer()))
            }
            // Deleted between our insert attempt and the read: treat as in progress; a retry succeeds.
            return .inProgress
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
}
