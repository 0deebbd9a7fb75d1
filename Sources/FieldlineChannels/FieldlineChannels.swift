/// Provider adapters (WhatsApp, Telegram, SMS, Messenger) live here, one folder each.
/// This namespace exists so the target builds before the first adapter lands.
public enum FieldlineChannels {
    /// The providers Fieldline speaks to.
    public static let providers = ["whatsapp", "telegram", "sms", "messenger"]
}
