import FieldlineChannels
import Testing

/// Send-side WhatsApp vectors: request bodies from Meta's OpenAPI examples and the responses.
extension WhatsAppVectorChecks {
    static let recipient = "{{Recipient-Phone-Number}}"

    static func sendRequest(_ vector: Vector) throws {
        let expected = vector.expected
        let request: ProviderRequest
        switch expected["type"]?.string {
        case "text":
            let text = try #require(expected.at("text.body")?.string)
            request = try #require(try WhatsAppOutbound.render(OutboundMessage(text: text), to: recipient, account: account).first)
        case "image":
            let link = try #require(expected.at("image.link")?.string)
            request = try #require(try WhatsAppOutbound.render(
                OutboundMessage(image: MediaReference(url: link)), to: recipient, account: account).first)
        case "template":
            let template = MessageTemplate(
                name: try #require(expected.at("template.name")?.string),
                languageCode: try #require(expected.at("template.language.code")?.string))
            request = WhatsAppOutbound.renderTemplate(template, to: recipient, account: account)
        case "interactive":
            try checkListShape(vector)
            return
        default:
            Issue.record("no rendering for \(expected["type"]?.string ?? "?")")
            return
        }
        try checkEnvelope(request, vector: vector)
        #expect(try JSONValue.parsing(request.body) == expected)
    }

    /// Method, path and headers as published, with the placeholders filled in.
    static func checkEnvelope(_ request: ProviderRequest, vector: Vector) throws {
        let url = try #require(vector.inputs["url"]?.string)
        #expect(request.method == vector.inputs["method"]?.string)
        let path = url.replacingOccurrences(of: "https://graph.facebook.com", with: "")
            .replacingOccurrences(of: "{Version}", with: account.apiVersion)
            .replacingOccurrences(of: "{Phone-Number-ID}", with: account.phoneNumberID)
            .replacingOccurrences(of: "{Media-ID}", with: "2621233374848975")
        #expect(request.path == path)
        for (name, value) in vector.inputs["headers"]?.members ?? [:] {
            #expect(request.header(name) == value.string, "header \(name)")
        }
    }

    /// The published list example has two titled sections, a header and a footer; our list has one
    /// untitled section. Every key we emit must exist at the same place in the published example.
    static func checkListShape(_ vector: Vector) throws {
        let choices = (1...5).map { Choice(id: "row-\($0)", title: "Row \($0)") }
        let requests = try WhatsAppOutbound.render(
            OutboundMessage(text: "<BODY_TEXT>", choices: choices), to: recipient, account: account)
        let request = try #require(requests.first)
        #expect(requests.count == 1)
        try checkEnvelope(request, vector: vector)
        let body = try JSONValue.parsing(request.body)
        #expect(body.at("interactive.type") == vector.expected.at("interactive.type"))
        #expect(body.at("interactive.action.sections.0.rows")?.elements.count == 5)
        #expect(body.at("interactive.action.sections.0.rows.4.id") == "row-5")
        #expect(body.at("interactive.body.text") == vector.expected.at("interactive.body.text"))
        let extra = keysNotIn(body, shape: vector.expected)
        #expect(extra.isEmpty, "keys not in the published shape: \(extra)")
    }

    /// Paths of object keys in `value` that do not exist in `shape` (arrays compared to their first element).
    static func keysNotIn(_ value: JSONValue, shape: JSONValue, path: String = "") -> [String] {
        switch (value, shape) {
        case (.object(let members), .object(let shapeMembers)):
            return members.flatMap { key, child -> [String] in
                guard let shapeChild = shapeMembers[key] else { return [path + key] }
                return keysNotIn(child, shape: shapeChild, path: path + key + ".")
            }
        case (.array(let elements), .array(let shapeElements)):
            guard let first = shapeElements.first else { return elements.isEmpty ? [] : [path + "[]"] }
            return elements.flatMap { keysNotIn($0, shape: first, path: path + "[].") }
        default:
            return []
        }
    }

    static func sendResponse(_ vector: Vector) throws {
        let id = try WhatsAppOutbound.parseSendResponse(vector.expected.serialized)
        #expect(id == vector.expected.at("messages.0.id")?.string)
    }

    static func mediaURLResponse(_ vector: Vector) throws {
        let info = try WhatsAppMedia.parseInfo(vector.expected.serialized)
        #expect(info.id == vector.expected["id"]?.string)
        #expect(info.url == vector.expected["url"]?.string)
        #expect(info.mimeType == vector.expected["mime_type"]?.string)
        #expect(info.sha256 == vector.expected["sha256"]?.string)
        #expect(info.fileSize == 303_833)
        try checkEnvelope(WhatsAppMedia.infoRequest(mediaID: info.id, account: account), vector: vector)
    }
}
