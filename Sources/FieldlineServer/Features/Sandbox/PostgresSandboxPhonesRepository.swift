import FieldlineChannels
import FieldlineDomain
import Foundation
import PostgresNIO

/// `SandboxPhonesRepository` on PostgreSQL (`sandbox_messages`, `member_identities`, `messages`).
struct PostgresSandboxPhonesRepository: SandboxPhonesRepository {
    let database: Database

    func deliver(_ body: [UInt8], to recipient: String, adapterID: UUID, tenantID: UUID) async throws -> UUID {
        let id = UUIDv7.make()
        let json = String(decoding: body, as: UTF8.self)
        try await database.withTenant(tenantID) { connection in
            _ = try await connection.query("""
                INSERT INTO sandbox_messages (tenant_id, id, adapter_id, recipient, body)
                VALUES (\(tenantID), \(id), \(adapterID), \(recipient), \(json)::jsonb)
                """, logger: database.logger)
        }
        return id
    }

    func members(tenantID: UUID) async throws -> [SandboxMember] {
        try await database.withTenant(tenantID) { connection in
            try await connection.query("""
                SELECT m.id, m.name, o.name,
                       (SELECT i.external_id FROM member_identities i
                        WHERE i.tenant_id = m.tenant_id\(citusTenant: "i", tenantID) AND i.member_id = m.id AND i.kind = 'sandbox' ORDER BY i.id LIMIT 1)
                FROM members m JOIN organizations o ON o.tenant_id = m.tenant_id AND o.id = m.organization_id
                WHERE m.tenant_id = \(tenantID)
                ORDER BY m.name, m.id LIMIT 500
                """, logger: database.logger
            ).collect(Self.member)
        }
    }

    func open(memberID: UUID, tenantID: UUID) async throws -> SandboxMember? {
        try await database.withTenant(tenantID) { connection in
            // The member's id is their sandbox identity: unique, and it names who the phone plays.
            try await connection.query("""
                INSERT INTO member_identities (tenant_id, id, member_id, kind, external_id)
                SELECT m.tenant_id, uuid_v7(), m.id, 'sandbox', lower(m.id::text) FROM members m
                WHERE m.tenant_id = \(tenantID) AND m.id = \(memberID)
                  AND NOT EXISTS (SELECT 1 FROM member_identities i
                                  WHERE i.tenant_id = m.tenant_id AND i.member_id = m.id AND i.kind = 'sandbox')
                ON CONFLICT DO NOTHING
                """, logger: database.logger)
            return try await connection.query("""
                SELECT m.id, m.name, o.name,
                       (SELECT i.external_id FROM member_identities i
                        WHERE i.tenant_id = m.tenant_id\(citusTenant: "i", tenantID) AND i.member_id = m.id AND i.kind = 'sandbox' ORDER BY i.id LIMIT 1)
                FROM members m JOIN organizations o ON o.tenant_id = m.tenant_id AND o.id = m.organization_id
                WHERE m.tenant_id = \(tenantID) AND m.id = \(memberID)
                """, logger: database.logger
            ).first(Self.member)
        }
    }

    func thread(phone: String, adapterID: UUID, after: UUID?, tenantID: UUID) async throws -> [SandboxPhoneMessage] {
        let after = after ?? UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        return try await database.withTenant(tenantID) { connection in
            try await connection.query("""
                SELECT * FROM (
                    SELECT s.id, 'received' AS direction, s.created_at,
                           (s.body || jsonb_build_object('delivery_status', o.delivery_status))::text AS message
                    FROM sandbox_messages s
                    LEFT JOIN messages o ON o.tenant_id = s.tenant_id AND o.adapter_id = s.adapter_id
                         AND o.provider = 'sandbox' AND o.provider_message_id = s.id::text AND o.direction = 'outbound'
                    WHERE s.tenant_id = \(tenantID) AND s.adapter_id = \(adapterID) AND s.recipient = \(phone) AND s.id > \(after)
                    UNION ALL
                    SELECT m.id, 'sent', m.created_at,
                           jsonb_build_object('kind', m.kind, 'text', m.body, 'payload', m.payload,
                                              'media', (SELECT jsonb_build_object('id', md.id, 'status', md.status, 'sha256', md.sha256)
                                                        FROM media md WHERE md.tenant_id = m.tenant_id\(citusTenant: "md", tenantID) AND md.message_id = m.id))::text
                    FROM messages m
                    JOIN conversations c ON c.tenant_id = m.tenant_id AND c.id = m.conversation_id
                    JOIN member_identities i ON i.tenant_id = c.tenant_id AND i.member_id = c.member_id
                         AND i.kind = 'sandbox' AND i.external_id = \(phone)
                    WHERE m.tenant_id = \(tenantID) AND m.adapter_id = \(adapterID) AND m.direction = 'inbound' AND m.id > \(after)
                ) phone ORDER BY id LIMIT 200
                """, logger: database.logger
            ).collect { row in
                let (id, direction, createdAt, message) = try row.decode((UUID, String, Date, String).self)
                return SandboxPhoneMessage(
                    id: id, direction: direction, createdAt: createdAt, message: JSONValue(parsing: Array(message.utf8)) ?? .null)
            }
        }
    }

    func hasMedia(sha256: String, adapterID: UUID, tenantID: UUID) async throws -> Bool {
        try await database.withTenant(tenantID) { connection in
            try await connection.query("""
                SELECT EXISTS (SELECT 1 FROM media WHERE tenant_id = \(tenantID) AND adapter_id = \(adapterID)
                               AND provider = 'sandbox' AND provider_media_id = \(sha256))
                """, logger: database.logger
            ).first { try $0.decode(Bool.self) } ?? false
        }
    }

    private static func member(_ row: PostgresRow) throws -> SandboxMember {
        let (id, name, organization, phone) = try row.decode((UUID, String, String, String?).self)
        return SandboxMember(id: id, name: name, organizationName: organization, phone: phone)
    }
}
