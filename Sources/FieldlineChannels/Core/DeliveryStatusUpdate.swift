import Foundation

/// The delivery states a provider reports for a message we sent.
public enum DeliveryStatus: String, Sendable, Codable, CaseIterable {
    /// Accepted by the provider's network.
    case sent
    /// Reached the member's device.
    case delivered
    /// Opened by the member.
    case read
    /// Could not be delivered.
    case failed
}

/// A provider's report about one of our outbound messages.
public struct DeliveryStatusUpdate: Sendable, Equatable {
    /// The provider that reported it.
    public var provider: ChannelProvider
    /// The provider id of our message (as returned when we sent it).
    ///
    /// `nil` for a Messenger watermark receipt, which means "every message to `recipient`
    /// sent at or before `at`" rather than naming one message.
    public var providerMessageID: String?
    /// The new state.
    public var status: DeliveryStatus
    /// When it happened, by the provider's clock.
    public var at: Date?
    /// The provider's error code for `failed`.
    public var errorCode: String?
    /// The provider's human-readable error for `failed`.
    public var errorMessage: String?
    /// The member the message was addressed to (E.164, chat id or PSID).
    public var recipient: String?

    /// Creates a status update.
    public init(
        provider: ChannelProvider, providerMessageID: String?, status: DeliveryStatus, at: Date? = nil,
        errorCode: String? = nil, errorMessage: String? = nil, recipient: String? = nil
    ) {
        self.provider = provider
        self.providerMessageID = providerMessageID
        self.status = status
        self.at = at
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.recipient = recipient
    }
}
