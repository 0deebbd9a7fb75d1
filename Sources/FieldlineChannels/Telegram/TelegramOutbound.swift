/// The credentials of one Telegram bot, as an adapter holds them.
public struct TelegramBot: Sendable, Equatable {
    /// The bot token from @BotFather (it appears in request paths: redact before logging).
    public var token: String
    /// The text of a keyboard message when the outbound message has no text.
    public var choicePrompt: String

    /// Creates a bot description.
    public init(token: String, choicePrompt: String = "Please choose:") {
        self.token = token
        self.choicePrompt = choicePrompt
    }

    /// The path of Bot API `method`.
    func path(_ method: String) -> String { "/bot\(token)/\(method)" }
}

/// Renders outbound messages as Telegram Bot API calls (https://core.telegram.org/bots/api#sendmessage,
/// https://core.telegram.org/bots/api#inlinekeyboardmarkup).
///
/// Choices become an inline keyboard (one button per row) whose `callback_data` is the choice id;
/// an image is `sendPhoto` with the text as caption; a location is `sendVenue` or `sendLocation`.
public enum TelegramOutbound {
    /// The requests that deliver `message` to the chat `chatID`, in order.
    public static func render(
        _ message: OutboundMessage, to chatID: String, bot: TelegramBot
    ) throws(RenderError) -> [ProviderRequest] {
        try message.validate()
        guard !chatID.isEmpty else { throw .invalidRecipient(.telegram, chatID) }
        let capabilities = Capabilities.telegram
        let plan = capabilities.choiceRendering(for: message.choices)
        var text = plan == .numberedText ? message.textWithNumberedChoices : (message.text ?? "")
        var keyboard = plan == .buttons ? inlineKeyboard(message.choices) : nil
        var calls: [(method: String, body: [String: JSONValue])] = []

        if let image = message.image {
            var body: [String: JSONValue] = ["photo": .string(image.providerMediaID ?? image.url ?? "")]
            if !text.isEmpty, text.count <= capabilities.maxCaptionLength {
                body["caption"] = .string(text)
                body["reply_markup"] = keyboard
                text = ""
                keyboard = nil
            }
            calls.append(("sendPhoto", body))
        }
        if let location = message.location {
            calls.append(locationCall(location))
        }
        if keyboard != nil, text.isEmpty { text = bot.choicePrompt }
        let pieces = TextChunks.split(text, limit: capabilities.maxTextLength).filter { !$0.isEmpty }
        for (index, piece) in pieces.enumerated() {
            var body: [String: JSONValue] = ["text": .string(piece)]
            if index == pieces.count - 1 { body["reply_markup"] = keyboard }
            calls.append(("sendMessage", body))
        }
        let chat = chatValue(chatID)
        let reply = message.replyToProviderMessageID.flatMap(replyMessageID)
        return calls.enumerated().map { index, call in
            var body = call.body
            body["chat_id"] = chat
            if index == 0, let reply { body["reply_parameters"] = ["message_id": .integer(reply)] }
            return .json(path: bot.path(call.method), body: .object(body))
        }
    }

    /// The `answerCallbackQuery` call that stops the member's progress bar after a button press.
    /// `callbackID` may be the raw id or our `callback:<id>` provider message id.
    public static func answerCallbackQuery(_ callbackID: String, text: String? = nil, bot: TelegramBot) -> ProviderRequest {
        let id = callbackID.hasPrefix("callback:") ? String(callbackID.dropFirst("callback:".count)) : callbackID
        var body: [String: JSONValue] = ["callback_query_id": .string(id)]
        if let text { body["text"] = .string(String(text.prefix(200))) }
        return .json(path: bot.path("answerCallbackQuery"), body: .object(body))
    }

    /// Up to 3 short choices share one row (e.g. Yes / No); otherwise one full-width button per row.
    private static func inlineKeyboard(_ choices: [Choice]) -> JSONValue {
        let buttons = choices.map { choice -> JSONValue in
            ["text": .string(choice.title), "callback_data": .string(choice.id)]
        }
        let oneRow = choices.count <= 3 && choices.allSatisfy { $0.title.count <= 16 }
        let rows: [JSONValue] = oneRow ? [.array(buttons)] : buttons.map { [$0] }
        return ["inline_keyboard": .array(rows)]
    }

    private static func locationCall(_ location: OutboundLocation) -> (method: String, body: [String: JSONValue]) {
        var body: [String: JSONValue] = ["latitude": .number(location.latitude), "longitude": .number(location.longitude)]
        guard let name = location.name, let address = location.address else { return ("sendLocation", body) }
        body["title"] = .string(name)
        body["address"] = .string(address)
        return ("sendVenue", body)
    }

    /// A numeric chat id as a JSON integer, an `@channel` username as a string.
    private static func chatValue(_ chatID: String) -> JSONValue {
        Int64(chatID).map(JSONValue.integer) ?? .string(chatID)
    }

    /// The Telegram message id inside our `"<chat>:<message>"` provider message id.
    private static func replyMessageID(_ providerMessageID: String) -> Int64? {
        providerMessageID.split(separator: ":").last.flatMap { Int64($0) }
    }
}
