/// The one table of providers: which `ProviderAdapter` speaks each `ChannelProvider`.
///
/// A switch rather than a dictionary, so that adding a case to `ChannelProvider` does not
/// compile until its adapter is named here.
extension ChannelProvider {
    /// The adapter that speaks this provider.
    public var adapter: any ProviderAdapter {
        switch self {
        case .whatsapp: WhatsAppAdapter()
        case .telegram: TelegramAdapter()
        case .sms: TwilioAdapter()
        case .messenger: MessengerAdapter()
        case .sandbox: SandboxAdapter()
        }
    }

    /// Every provider's adapter, in `allCases` order.
    public static var adapters: [any ProviderAdapter] { allCases.map(\.adapter) }
}
