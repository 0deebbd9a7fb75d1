import Foundation

/// The customer-service window rule of WhatsApp and Messenger: free-form messages only within
/// 24 hours of the member's last inbound message (WhatsApp:
/// https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/send-messages;
/// Messenger: https://developers.facebook.com/docs/messenger-platform/policy/policy-overview).
public enum ServiceWindow {
    /// How long the window stays open after the member's last message.
    public static let length: TimeInterval = 24 * 60 * 60
    /// How long after the member's last message Messenger's `HUMAN_AGENT` tag lets a person reply
    /// (https://developers.facebook.com/docs/messenger-platform/send-messages/message-tags;
    /// the page needs Meta's Human Agent permission).
    public static let humanAgentLength: TimeInterval = 7 * 24 * 60 * 60

    /// Whether a person's reply may still go out on Messenger with the `HUMAN_AGENT` tag.
    public static func allowsHumanAgentTag(lastInboundAt: Date?, now: Date) -> Bool {
        guard let lastInboundAt else { return false }
        return now < lastInboundAt.addingTimeInterval(humanAgentLength)
    }

    /// What to do with a free-form outbound message.
    public enum Decision: Sendable, Equatable {
        /// Send it as rendered.
        case sendFreeForm
        /// The window is closed: send this approved template instead (WhatsApp).
        case useTemplate(MessageTemplate)
        /// The window is closed and nothing else may be sent: keep the message, with this reason visible.
        case hold(reason: String)
    }

    /// The decision for a message to a member on `provider`.
    ///
    /// - Parameters:
    ///   - lastInboundAt: when the member last wrote to us on this provider; `nil` if never.
    ///   - now: the current time.
    ///   - template: the tenant's approved template for re-opening the conversation (WhatsApp only).
    public static func decide(
        provider: ChannelProvider, lastInboundAt: Date?, now: Date, template: MessageTemplate? = nil
    ) -> Decision {
        switch provider {
        case .telegram, .sms, .sandbox:
            return .sendFreeForm
        case .whatsapp, .messenger:
            if let lastInboundAt, now < lastInboundAt.addingTimeInterval(length) {
                return .sendFreeForm
            }
            if provider == .whatsapp, let template {
                return .useTemplate(template)
            }
            return .hold(reason: closedReason(provider, lastInboundAt: lastInboundAt))
        }
    }

    /// Why the window is closed, for people: e.g. "whatsapp service window closed: the member's
    /// last message is over 24 hours old".
    public static func closedReason(_ provider: ChannelProvider, lastInboundAt: Date?) -> String {
        let since = lastInboundAt == nil ? "the member has never written" : "the member's last message is over 24 hours old"
        return "\(provider.rawValue) service window closed: \(since)"
    }
}
