import FieldlineDomain
import Foundation
import PostgresNIO

/// A member for an unknown sender with their identity, in one statement. No row when the
/// identity was claimed meanwhile (two first messages of one stranger raced); the member row
/// made here must then be removed. Prepared once per connection.
struct NewMemberStatement: PostgresPreparedStatement {
    static let name = "fieldline_ingest_new_member"
    static let sql = """
        WITH member AS (
            INSERT INTO members (tenant_id, id, organization_id, name, phone) VALUES ($1, $2, $3, $4, $5)
            RETURNING id
        ), identity AS (
            INSERT INTO member_identities (tenant_id, id, member_id, kind, external_id)
            SELECT $1, $6, id, $7, $8 FROM member
            ON CONFLICT (tenant_id, kind, external_id) DO NOTHING
            RETURNING member_id
        )
        SELECT member_id FROM identity
        """
    static let bindingDataTypes: [PostgresDataType] = [.uuid, .uuid, .uuid, .text, .text, .uuid, .text, .text]
    typealias Row = UUID

    let tenantID: UUID
    let memberID: UUID
    let organizationID: UUID
    let name: String
    let phone: String?
    let identityKind: String
    let externalID: String

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 8)
        bindings.append(tenantID)
        bindings.append(memberID)
        bindings.append(organizationID)
        bindings.append(name)
        bindings.append(phone)
        bindings.append(UUIDv7.make())
        bindings.append(identityKind)
        bindings.append(externalID)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> UUID { try row.decode(UUID.self) }
}

/// Opens a conversation for each member who has none that is not closed, recording each
/// `opened` conversation event, in one statement. Returns the conversations opened with their
/// member; a member missing from them has one already. Prepared once per connection.
struct OpenConversationsStatement: PostgresPreparedStatement {
    static let name = "fieldline_ingest_open_conversations"
    static let sql = """
        WITH input AS (
            SELECT * FROM unnest($2::uuid[], $3::uuid[], $4::uuid[]) WITH ORDINALITY AS i(id, member_id, event_id, position)
        ), opened AS (
            INSERT INTO conversations (tenant_id, id, member_id)
            -- In member order, as a channel post opens its recipients' (see `OpenConversations`).
            SELECT $1, id, member_id FROM input ORDER BY member_id
            ON CONFLICT (tenant_id, member_id) WHERE status <> 'closed' DO NOTHING
            RETURNING id, member_id
        ), event AS (
            INSERT INTO conversation_events (tenant_id, id, conversation_id, kind, actor_user_id)
            SELECT $1, input.event_id, opened.id, 'opened', NULL::uuid FROM opened JOIN input USING (id)
            RETURNING 1
        )
        SELECT id, member_id FROM opened
        """
    static let bindingDataTypes: [PostgresDataType] = [.uuid, .uuidArray, .uuidArray, .uuidArray]
    typealias Row = (UUID, UUID)

    let tenantID: UUID
    /// The new conversations' ids and their members, in the same order.
    let conversationIDs: [UUID]
    let memberIDs: [UUID]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 4)
        bindings.append(tenantID)
        bindings.append(conversationIDs)
        bindings.append(memberIDs)
        bindings.append(memberIDs.map { _ in UUIDv7.make() })
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> (UUID, UUID) { try row.decode((UUID, UUID).self) }
}
