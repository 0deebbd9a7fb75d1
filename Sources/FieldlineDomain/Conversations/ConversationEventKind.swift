/// A fact recorded about a conversation (`conversation_events.kind`): analytics and the audit
/// trail read them.
public enum ConversationEventKind: String, Sendable, Codable, CaseIterable {
    /// The member's first message (or a channel post) opened it.
    case opened
    /// Routing put it in a team's queue.
    case routed
    /// An agent got it (by routing or by hand).
    case assigned
    /// It moved from one agent or team to another.
    case transferred
    /// A person replied for the first time.
    case firstHumanReply = "first_human_reply"
    /// Set aside until a time or the member's next message.
    case snoozed
    /// Back from a snooze.
    case woke
    /// Closed and archived.
    case closed
}
