import FieldlineDomain
import Foundation
import PostgresNIO

extension PostgresOrganizationsRepository {
    func relations(of id: UUID, tenantID: UUID) async throws -> [OrganizationRelation]? {
        try await database.withTenant(tenantID) { connection in
            guard try await path(of: id, tenantID: tenantID, connection) != nil else { return nil }
            let rows = try await connection.query("""
                SELECT CASE WHEN organization_id = \(id) THEN peer_id ELSE organization_id END, kind, created_at
                FROM organization_relations
                WHERE tenant_id = \(tenantID) AND (organization_id = \(id) OR peer_id = \(id))
                ORDER BY created_at DESC
                """, logger: database.logger)
            var result: [OrganizationRelation] = []
            for try await (peer, kind, createdAt) in rows.decode((UUID, String, Date).self) {
                result.append(OrganizationRelation(organizationId: id, peerId: peer, kind: kind, createdAt: createdAt))
            }
            return result
        }
    }

    func relate(_ id: UUID, to peerID: UUID, kind: String, tenantID: UUID) async throws -> OrganizationRelation? {
        let (low, high) = Self.ordered(id, peerID)
        return try await database.withTenant(tenantID) { connection in
            guard try await path(of: id, tenantID: tenantID, connection) != nil else { return nil }
            guard try await path(of: peerID, tenantID: tenantID, connection) != nil else {
                throw ValidationError(field: "peer_id", code: "unknown_reference", message: "peer_id names no organization")
            }
            let rows = try await connection.query("""
                INSERT INTO organization_relations (tenant_id, organization_id, peer_id, kind)
                VALUES (\(tenantID), \(low), \(high), \(kind))
                ON CONFLICT (tenant_id, organization_id, peer_id) DO UPDATE SET kind = EXCLUDED.kind
                RETURNING kind, created_at
                """, logger: database.logger)
            for try await (kind, createdAt) in rows.decode((String, Date).self) {
                return OrganizationRelation(organizationId: id, peerId: peerID, kind: kind, createdAt: createdAt)
            }
            return nil
        }
    }

    func unrelate(_ id: UUID, from peerID: UUID, tenantID: UUID) async throws -> Bool {
        let (low, high) = Self.ordered(id, peerID)
        return try await database.withTenant(tenantID) { connection in
            let rows = try await connection.query("""
                DELETE FROM organization_relations
                WHERE tenant_id = \(tenantID) AND organization_id = \(low) AND peer_id = \(high)
                RETURNING peer_id
                """, logger: database.logger)
            for try await _ in rows.decode(UUID.self) { return true }
            return false
        }
    }

    /// Relations are stored once, smaller id first, matching PostgreSQL's uuid ordering.
    static func ordered(_ a: UUID, _ b: UUID) -> (UUID, UUID) {
        a.uuidString.lowercased() < b.uuidString.lowercased() ? (a, b) : (b, a)
    }
}
