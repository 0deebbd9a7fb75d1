import FieldlineChannels
import Foundation
import Testing

/// Checks for the Messenger vectors: webhook events and Send API requests.
enum MessengerVectorChecks {
    /// Wraps an event in the Page webhook envelope: change-shaped events under `changes`, others under `messaging`.
    static func envelope(event: JSONValue) -> [UInt8] {
        let key = event["field"] == nil ? "messaging" : "changes"
        let root: JSONValue = ["object": "page", "entry": [["id": "682498302938465", "time": 1_518_479_195_594, .init(key): [event]]]]
        return root.serialized
    }

    static func event(_ vector: Vector) throws {
        let json = try #require(vector.inputs["json"])
        let events = try MessengerInbound.parse(envelope(event: json))
        try #require(events.count == 1)
        let event = json["value"] ?? json
        switch events[0] {
        case .message(let message):
            #expect(message.sentAt == MessengerTime.date(event["timestamp"]))
            if let payload = vector.expectedPaths["message.quick_reply.payload"]?.string {
                #expect(message.sender == vector.expectedPaths["sender.id"]?.string)
                #expect(message.providerMessageID == json.at("message.mid")?.string)
                #expect(message.content == .choice(id: payload, title: vector.expectedPaths["message.text"]?.string))
            } else {
                let payload = try #require(vector.expectedPaths["value.postback.payload"]?.string)
                #expect(message.sender == event.at("sender.user_ref")?.string)
                #expect(message.providerMessageID == event.at("postback.mid")?.string)
                #expect(message.content == .choice(id: payload, title: vector.expectedPaths["value.postback.title"]?.string))
            }
        case .status(let update):
            let watermark = try #require(vector.expectedPaths["read.watermark"]?.double)
            #expect(update == DeliveryStatusUpdate(
                provider: .messenger, providerMessageID: nil, status: .read,
                at: Date(timeIntervalSince1970: watermark / 1000), recipient: json.at("sender.id")?.string))
        }
    }

    static func sendRequest(_ vector: Vector) throws {
        let url = try #require(vector.inputs["url"]?.string)
        if let form = vector.inputs["form"] {
            // The published curl sends JSON-ish form values with single quotes; we send the JSON they mean.
            func json(_ key: String) throws -> JSONValue {
                try JSONValue.parsing(Array((form[key]?.string ?? "").replacingOccurrences(of: "'", with: "\"").utf8))
            }
            let page = MessengerPage(pageID: "{PAGE_ID}", pageAccessToken: form["access_token"]?.string ?? "")
            let psid = try #require(try json("recipient")["id"]?.string)
            let text = try #require(try json("message")["text"]?.string)
            let request = try #require(try MessengerOutbound.render(OutboundMessage(text: text), to: psid, page: page).first)
            let expected: JSONValue = try ["recipient": json("recipient"), "messaging_type": form["messaging_type"] ?? .null, "message": json("message")]
            #expect(try JSONValue.parsing(request.body) == expected)
            #expect(request.method == vector.inputs["method"]?.string)
            #expect(request.path == "/v25.0/%7BPAGE_ID%7D/messages?access_token=%7BPAGE_ACCESS_TOKEN%7D")
            #expect(url.hasPrefix("https://graph.facebook.com/v25.0/"))
            #expect(try MessengerOutbound.parseSendResponse(vector.expected.serialized) == vector.expected["message_id"]?.string)
            return
        }
        let expected = vector.expected
        let page = MessengerPage(apiVersion: "v25.0", pageID: "682498302938465", pageAccessToken: "TOKEN", choiceStyle: .buttons)
        let template = try #require(expected.at("message.attachment.payload"))
        let button = try #require(template.at("buttons.0"))
        let message = OutboundMessage(
            text: template["text"]?.string,
            choices: [Choice(id: button["payload"]?.string ?? "", title: button["title"]?.string ?? "")])
        let requests = try MessengerOutbound.render(message, to: expected.at("recipient.id")?.string ?? "", page: page)
        try #require(requests.count == 1)
        var body = try #require(try JSONValue.parsing(requests[0].body).members)
        // The published sample omits messaging_type; we always state it, as the Send API reference asks.
        #expect(body.removeValue(forKey: "messaging_type") == "RESPONSE")
        #expect(JSONValue.object(body) == expected)
        let path = url.replacingOccurrences(of: "https://graph.facebook.com", with: "")
            .replacingOccurrences(of: "<LATEST_API_VERSION>", with: "v25.0")
            .replacingOccurrences(of: "<PAGE_ID>", with: page.pageID)
            .replacingOccurrences(of: "<PAGE_ACCESS_TOKEN>", with: page.pageAccessToken)
        #expect(requests[0].path == path)
        #expect(requests[0].header("Content-Type") == vector.inputs.at("headers.Content-Type")?.string)
    }
}

/// Messenger timestamps as documented: classic events send numeric milliseconds, the change shape
/// a string of seconds.
enum MessengerTime {
    static func date(_ value: JSONValue?) -> Date? {
        switch value {
        case .integer(let milliseconds): return Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        case .string(let seconds): return Double(seconds).map { Date(timeIntervalSince1970: $0) }
        default: return nil
        }
    }
}
