import FieldlineDomain
import Foundation

/// The sender's member when nobody knew them: a new member in the adapter's unverified-contacts
/// organization, so nothing a crew sends is lost; routing then treats them like anyone else. A
/// sender through an adapter without one (the app adapter) is refused as `unknown_sender`.
struct MakeStrangersMembers: InboundStep {
    var scope: InboundStepScope { .message }

    func run(_ wave: inout InboundWave, in transaction: TenantTransaction) async throws {
        try await wave.forEachActive { item in
            guard item.memberID == nil else { return }
            guard let memberID = try await Self.newMember(for: item.message, in: transaction) else {
                throw ValidationError(
                    field: "sender", code: "unknown_sender",
                    message: "no member has the \(item.message.identityKind.rawValue) identity '\(item.message.sender)'")
            }
            item.memberID = memberID
            item.newMember = true
        }
    }

    /// A member for `message`'s sender in its unknown-sender organization, or nil when it has none.
    static func newMember(for message: InboundMessageInput, in transaction: TenantTransaction) async throws -> UUID? {
        guard let organizationID = message.unknownSenderOrganizationID else { return nil }
        let tenantID = transaction.tenantID
        let memberID = UUIDv7.make()
        let phone = [IdentityKind.whatsapp, .sms].contains(message.identityKind) ? (try? PhoneNumber(parsing: message.sender).e164) : nil
        let name = String((message.senderName?.trimmingWhitespace()).flatMap { $0.isEmpty ? nil : $0 }?.prefix(200) ?? Substring(message.sender.prefix(200)))
        // Two first messages from the same stranger can race: the second waits on the identity's
        // unique key, inserts no identity, and uses the member the first one made.
        let claimed = try await !transaction.rows(
            NewMemberStatement(
                tenantID: tenantID, memberID: memberID, organizationID: organizationID, name: name, phone: phone,
                identityKind: message.identityKind.rawValue, externalID: message.sender)
        ).isEmpty
        if claimed { return memberID }
        try await transaction.query("DELETE FROM members WHERE tenant_id = \(tenantID) AND id = \(memberID)")
        return try await transaction.query("""
            SELECT member_id FROM member_identities
            WHERE tenant_id = \(tenantID) AND kind = \(message.identityKind.rawValue) AND external_id = \(message.sender)
            """
        ).first { try $0.decode(UUID.self) }
    }
}
