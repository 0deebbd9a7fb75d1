/// Reads Telegram Bot API webhook `Update`s (https://core.telegram.org/bots/api#update) into `InboundEvent`s.
///
/// Decoding is lenient: Telegram's own published examples omit `chat.type`, `from.is_bot` and
/// `chat_instance`, and send `inline_query.id` as a number. Verify the secret token header with
/// `TelegramSecretToken` before calling this.
public enum TelegramInbound {
    /// Parses one `Update`. Throws only when the body is not a JSON object; updates that are not
    /// messages or callback queries become `.unsupported` (when they have a sender) or nothing.
    public static func parse(_ body: some Collection<UInt8>) throws(ChannelParseError) -> [InboundEvent] {
        let update = try JSONValue.parse(body, provider: .telegram)
        guard let members = update.members else {
            throw .unexpectedPayload(provider: .telegram, detail: "the body is not a JSON object")
        }
        if let message = update["message"] {
            return TelegramMessage.parse(message).map { [.message($0)] } ?? []
        }
        if let callback = update["callback_query"] {
            return callbackQuery(callback).map { [.message($0)] } ?? []
        }
        return otherUpdate(members, updateID: update["update_id"]?.text).map { [.message($0)] } ?? []
    }

    /// A pressed inline-keyboard button: a `.choice` whose id is the button's `callback_data`.
    ///
    /// Answer it with `TelegramOutbound.answerCallbackQuery` so the member's progress bar stops.
    static func callbackQuery(_ callback: JSONValue) -> InboundMessage? {
        guard let id = callback["id"]?.text else { return nil }
        let chatID = callback["message"]?["chat"]?["id"]?.text ?? callback["from"]?["id"]?.text
        guard let chatID else { return nil }
        let content: MessageContent = callback["data"]?.string.map { .choice(id: $0, title: nil) }
            ?? .unsupported(type: "callback_query", raw: callback.serializedString)
        return InboundMessage(
            provider: .telegram, providerMessageID: "callback:\(id)", sender: chatID,
            senderName: TelegramMessage.name(of: callback["from"]),
            sentAt: nil, content: content,
            replyToProviderMessageID: callback["message"]?["message_id"]?.text.map { "\(chatID):\($0)" })
    }

    /// Any other update kind (`edited_message`, `inline_query`, …), kept as `.unsupported` so nothing is lost.
    private static func otherUpdate(_ members: [String: JSONValue], updateID: String?) -> InboundMessage? {
        guard let updateID,
            let (kind, object) = members.filter({ $0.key != "update_id" }).min(by: { $0.key < $1.key })
        else { return nil }
        let sender = object["chat"]?["id"]?.text ?? object["from"]?["id"]?.text ?? object["user"]?["id"]?.text
        guard let sender else { return nil }
        return InboundMessage(
            provider: .telegram, providerMessageID: "update:\(updateID)", sender: sender,
            senderName: TelegramMessage.name(of: object["from"]), sentAt: SenderID.date(object["date"]),
            content: .unsupported(type: kind, raw: object.serializedString))
    }
}
