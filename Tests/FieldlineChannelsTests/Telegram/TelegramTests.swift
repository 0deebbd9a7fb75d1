import FieldlineChannels
import Foundation
import Testing

@Suite("Telegram")
struct TelegramTests {
    let bot = TelegramBot(token: "123:ABC")

    @Test("the secret token header is accepted only when equal")
    func secretToken() throws {
        try TelegramSecretToken.verify(header: "s3cret_-token", secret: "s3cret_-token")
        #expect(throws: SignatureError.mismatch) { try TelegramSecretToken.verify(header: "s3cret_-tokeN", secret: "s3cret_-token") }
        #expect(throws: SignatureError.missingHeader(TelegramSecretToken.headerName)) { try TelegramSecretToken.verify(header: nil, secret: "x") }
        #expect(throws: SignatureError.malformedHeader(TelegramSecretToken.headerName)) {
            try TelegramSecretToken.verify(header: "has space", secret: "has space")
        }
        #expect(!TelegramSecretToken.isWellFormed(String(repeating: "a", count: 257)))
        #expect(TelegramSecretToken.isWellFormed(String(repeating: "a", count: 256)))
    }

    /// Constructed from the Bot API field definitions (https://core.telegram.org/bots/api#message):
    /// no published example has a photo.
    @Test("a photo keeps the largest size and the caption; a venue is a named location")
    func photoAndVenue() throws {
        let photo = #"{"update_id":1,"message":{"message_id":7,"date":1700000000,"chat":{"id":-1001234567890123,"type":"group"},"caption":"Done","photo":[{"file_id":"small","file_unique_id":"a","width":90,"height":90},{"file_id":"large","file_unique_id":"b","width":1280,"height":960}]}}"#
        let events = try TelegramInbound.parse(Array(photo.utf8))
        guard case .message(let message) = events.first else { Issue.record("no message"); return }
        #expect(message.content == .image(MediaReference(providerMediaID: "large"), caption: "Done"))
        #expect(message.providerMessageID == "-1001234567890123:7")
        let venue = #"{"update_id":2,"message":{"message_id":8,"date":1700000000,"chat":{"id":5},"location":{"latitude":40.4,"longitude":-3.7},"venue":{"location":{"latitude":40.4,"longitude":-3.7},"title":"Store 112","address":"Calle Mayor 1"}}}"#
        guard case .message(let place) = try TelegramInbound.parse(Array(venue.utf8)).first else { Issue.record("no message"); return }
        #expect(place.content == .location(latitude: 40.4, longitude: -3.7, name: "Store 112", address: "Calle Mayor 1"))
    }

    @Test("a callback on a chat message answers that message; a sticker is kept as unsupported")
    func callbackAndSticker() throws {
        let callback = #"{"update_id":3,"callback_query":{"id":"99","from":{"id":5,"first_name":"Ana"},"chat_instance":"x","data":"job42:yes","message":{"message_id":41,"date":1,"chat":{"id":5}}}}"#
        guard case .message(let choice) = try TelegramInbound.parse(Array(callback.utf8)).first else { Issue.record("no message"); return }
        #expect(choice.content == .choice(id: "job42:yes", title: nil))
        #expect(choice.replyToProviderMessageID == "5:41")
        #expect(choice.senderName == "Ana")
        let sticker = #"{"update_id":4,"message":{"message_id":9,"date":1,"chat":{"id":5},"sticker":{"file_id":"s"}}}"#
        guard case .message(let kept) = try TelegramInbound.parse(Array(sticker.utf8)).first,
            case .unsupported(let type, _) = kept.content
        else { Issue.record("sticker not kept"); return }
        #expect(type == "sticker")
    }

    @Test("choices render as the inline keyboard of the Bot API's sendMessage")
    func inlineKeyboard() throws {
        let message = OutboundMessage(text: "Job 42 done?", choices: [Choice(id: "job42:yes", title: "Yes"), Choice(id: "job42:no", title: "No")])
        let requests = try TelegramOutbound.render(message, to: "1111111", bot: bot)
        #expect(requests.map(\.path) == ["/bot123:ABC/sendMessage"])
        let expected: JSONValue = ["chat_id": 1111111, "text": "Job 42 done?", "reply_markup": ["inline_keyboard": [[
            ["text": "Yes", "callback_data": "job42:yes"], ["text": "No", "callback_data": "job42:no"],
        ]]]]
        #expect(try JSONValue.parse(requests[0].body, provider: .telegram) == expected)
    }

    @Test("an image with text and buttons is one sendPhoto; a location is sendVenue; a reply quotes the message")
    func photoVenueReply() throws {
        let message = OutboundMessage(
            text: "Is this the store?", choices: [Choice(id: "y", title: "Yes")], image: MediaReference(url: "https://x/y.jpg"),
            location: OutboundLocation(latitude: 1, longitude: 2, name: "Store", address: "Main St"),
            replyToProviderMessageID: "1111111:1365")
        let requests = try TelegramOutbound.render(message, to: "1111111", bot: bot)
        #expect(requests.map(\.path) == ["/bot123:ABC/sendPhoto", "/bot123:ABC/sendVenue"])
        let photo = try JSONValue.parse(requests[0].body, provider: .telegram)
        #expect(photo["caption"] == "Is this the store?")
        #expect(photo.at("reply_markup.inline_keyboard.0.0.callback_data") == "y")
        #expect(photo.at("reply_parameters.message_id") == 1365)
        #expect(try JSONValue.parse(requests[1].body, provider: .telegram)["title"] == "Store")
    }

    @Test("choice ids over 64 bytes fall back to numbered text; callbacks are answered")
    func fallbackAndAnswer() throws {
        let long = Choice(id: String(repeating: "x", count: 65), title: "Accept")
        let request = try #require(try TelegramOutbound.render(OutboundMessage(text: "Job?", choices: [long]), to: "@crew", bot: bot).first)
        let body = try JSONValue.parse(request.body, provider: .telegram)
        #expect(body["text"] == "Job?\n\n1) Accept")
        #expect(body["chat_id"] == "@crew")
        #expect(body["reply_markup"] == nil)
        let answer = TelegramOutbound.answerCallbackQuery("callback:4382bfdwdsb323b2d9", bot: bot)
        #expect(answer.path == "/bot123:ABC/answerCallbackQuery")
        #expect(try JSONValue.parse(answer.body, provider: .telegram) == ["callback_query_id": "4382bfdwdsb323b2d9"])
    }
}
