/// Where a conversation stands: `open → (pending) → closed`. Closed means archived: read-only.
public enum ConversationStatus: String, Sendable, Codable, CaseIterable {
    /// Being worked on, or waiting for someone to take it.
    case open
    /// Waiting for the member (or snoozed).
    case pending
    /// Archived: read-only, part of the member's timeline.
    case closed
}

/// Who a message went from and to.
public enum MessageDirection: String, Sendable, Codable, CaseIterable {
    /// From the member.
    case inbound
    /// From an agent (or the system) to the member.
    case outbound
    /// Seen by agents only (internal notes).
    case `internal`
}

/// What a message holds.
public enum MessageKind: String, Sendable, Codable, CaseIterable {
    /// Plain text.
    case text
    /// A photo, with an optional caption.
    case image
    /// A file (PDF, ...).
    case document
    /// A shared position.
    case location
    /// A button or list answer.
    case choice
    /// Written by Fieldline itself (welcome, routing notices).
    case system
    /// An agent-only internal note.
    case note
    /// Something the provider sent that we do not model; the raw payload is kept.
    case unsupported
}

/// The delivery state of an outbound message: `queued → sent → delivered → read | failed`, and
/// `queued → held → queued` while the provider's customer-service window is closed.
public enum DeliveryStatus: String, Sendable, Codable, CaseIterable {
    /// Written to the outbox, not yet handed to the provider.
    case queued
    /// Not sent because the provider's service window is closed (reason in the message's
    /// `delivery_error`); queued again when the member next writes.
    case held
    /// Accepted by the provider.
    case sent
    /// Delivered to the member's phone.
    case delivered
    /// Read by the member.
    case read
    /// The provider gave up; the error is on the message.
    case failed
}

/// Which conversations a list shows.
public enum ConversationQueue: String, Sendable, CaseIterable {
    /// Assigned to me.
    case mine
    /// Of my teams, whoever has them.
    case teams
    /// Assigned to nobody (waiting).
    case unassigned
    /// Everything I may see.
    case all
}

/// Limits on what agents and members write.
public enum MessageLimits {
    /// Longest message body accepted, in characters; providers cap text around 4,096.
    public static let maxBodyCharacters = 4096

    /// A message body: trimmed, non-empty, within the limit.
    public static func body(_ text: String, field: String = "text") throws -> String {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw ValidationError(field: field, message: "\(field) must not be empty") }
        guard trimmed.count <= maxBodyCharacters else {
            throw ValidationError(field: field, code: "too_long", message: "\(field) must be at most \(maxBodyCharacters) characters")
        }
        return trimmed
    }
}
