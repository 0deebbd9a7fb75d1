/// The `interactive` objects of WhatsApp buttons and list messages.
enum WhatsAppInteractive {
    /// Reply buttons (at most 3), with an optional image header.
    static func buttons(_ choices: [Choice], body: String, image: JSONValue?, account: WhatsAppAccount) -> JSONValue {
        let buttons = choices.map { choice -> JSONValue in
            ["type": "reply", "reply": ["id": .string(choice.id), "title": .string(choice.title)]]
        }
        var object: [String: JSONValue] = [
            "type": "button",
            "body": ["text": .string(body.isEmpty ? account.choicePrompt : body)],
            "action": ["buttons": .array(buttons)],
        ]
        if let image { object["header"] = ["type": "image", "image": image] }
        return .object(object)
    }

    /// A list message of one section (at most 10 rows).
    static func list(_ choices: [Choice], body: String, account: WhatsAppAccount) -> JSONValue {
        let rows = choices.map { choice -> JSONValue in ["id": .string(choice.id), "title": .string(choice.title)] }
        return [
            "type": "list",
            "body": ["text": .string(body.isEmpty ? account.choicePrompt : body)],
            "action": ["button": .string(String(account.listButtonLabel.prefix(20))), "sections": [["rows": .array(rows)]]],
        ]
    }
}
