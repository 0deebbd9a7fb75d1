/// Reading what the messages endpoint answers.
extension WhatsAppOutbound {
    /// Reads a send response and returns the new message's wamid (to match later status webhooks).
    public static func parseSendResponse(_ body: some Collection<UInt8>) throws(ChannelParseError) -> String {
        let root = try JSONValue.parse(body, provider: .whatsapp)
        guard let id = root["messages"]?[0]?["id"]?.text else {
            throw .unexpectedPayload(provider: .whatsapp, detail: "a send response needs messages[0].id")
        }
        return id
    }
}
