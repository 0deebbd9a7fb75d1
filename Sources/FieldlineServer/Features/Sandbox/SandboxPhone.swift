import FieldlineChannels
import Foundation
import Hummingbird

/// A member the sandbox phone can play.
struct SandboxMember: ResponseEncodable, Sendable {
    let id: UUID
    let name: String
    let organizationName: String
    /// The member's sandbox identity (what the phone sends as `from`), once the phone was opened.
    let phone: String?
}

/// One message on the sandbox phone's screen, oldest first.
struct SandboxPhoneMessage: Encodable, Sendable {
    let id: UUID
    /// `received` (sent by Fieldline to the phone) or `sent` (by the phone).
    let direction: String
    let createdAt: Date
    /// Received: what the sandbox adapter rendered (`SandboxOutbound`), plus `delivery_status`.
    /// Sent: the stored message's `kind`, `text`, `payload` and `media`.
    let message: JSONValue
}

/// What the sandbox keeps for its phones: the messages the outbox delivered to them, and the
/// identities the phone page opened.
protocol SandboxPhonesRepository: Sendable {
    /// Keeps one rendered message for `recipient`'s phone; returns its id (the provider message id).
    func deliver(_ body: [UInt8], to recipient: String, adapterID: UUID, tenantID: UUID) async throws -> UUID
    /// The members the phone may play (up to 500, by name), with their sandbox identity.
    func members(tenantID: UUID) async throws -> [SandboxMember]
    /// Gives `memberID` a sandbox identity (their id) when they have none; nil when no such member.
    func open(memberID: UUID, tenantID: UUID) async throws -> SandboxMember?
    /// What the phone `phone` received through `adapterID` and sent, after `after` (oldest first, up to 200).
    func thread(phone: String, adapterID: UUID, after: UUID?, tenantID: UUID) async throws -> [SandboxPhoneMessage]
    /// Whether the phone's adapter received a photo with this SHA-256 (so the page may show it again).
    func hasMedia(sha256: String, adapterID: UUID, tenantID: UUID) async throws -> Bool
}
