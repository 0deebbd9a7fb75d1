/// Reads Twilio Messaging webhooks: inbound SMS/MMS
/// (https://www.twilio.com/docs/messaging/guides/webhook-request) and status callbacks
/// (https://www.twilio.com/docs/messaging/guides/track-outbound-message-status).
///
/// Verify `X-Twilio-Signature` with `TwilioSignature` (over every field received) before calling this.
public enum TwilioInbound {
    /// Statuses of our outbound messages; a callback carrying one of these is a status, not a message.
    private static let outboundStatuses: [String: DeliveryStatus?] = [
        "sent": .sent, "delivered": .delivered, "read": .read,
        "failed": .failed, "undelivered": .failed, "canceled": .failed,
        "queued": nil, "accepted": nil, "scheduled": nil, "sending": nil, "partially_delivered": nil,
    ]

    /// Parses a form-encoded webhook body.
    public static func parse(formBody: some Collection<UInt8>) -> [InboundEvent] {
        parse(fields: FormEncoding.decode(formBody))
    }

    /// Parses decoded webhook fields: a status callback gives at most one `.status`; an inbound
    /// message gives one `.message` per media item (the first carries `Body` as caption), or one text.
    public static func parse(fields: [FormField]) -> [InboundEvent] {
        var form: [String: String] = [:]
        for field in fields where form[field.name] == nil { form[field.name] = field.value }
        guard let sid = form["MessageSid"] ?? form["SmsSid"] ?? form["SmsMessageSid"], !sid.isEmpty else { return [] }
        if let raw = form["MessageStatus"], let mapped = outboundStatuses[raw.lowercased()] {
            guard let status = mapped else { return [] }
            return [.status(DeliveryStatusUpdate(
                provider: .sms, providerMessageID: sid, status: status, at: nil,
                errorCode: nonEmpty(form["ErrorCode"]), errorMessage: nonEmpty(form["ErrorMessage"]),
                recipient: form["To"].map(SenderID.phone)))]
        }
        guard let from = nonEmpty(form["From"]) else { return [] }
        return contents(form, raw: fields).enumerated().map { index, content in
            .message(InboundMessage(
                provider: .sms, providerMessageID: index == 0 ? sid : "\(sid)#\(index)",
                sender: SenderID.phone(from), senderName: nonEmpty(form["ProfileName"]), sentAt: nil,
                content: content, replyToProviderMessageID: nonEmpty(form["OriginalRepliedMessageSid"])))
        }
    }

    private static func contents(_ form: [String: String], raw: [FormField]) -> [MessageContent] {
        let body = form["Body"]
        let count = min(Int(form["NumMedia"] ?? "") ?? 0, 10)
        let media: [MessageContent] = (0..<max(count, 0)).compactMap { index in
            guard let url = nonEmpty(form["MediaUrl\(index)"]) else { return nil }
            let type = form["MediaContentType\(index)"]
            let reference = MediaReference(url: url, mimeType: type)
            let caption = index == 0 ? nonEmpty(body) : nil
            return type?.hasPrefix("image/") == true
                ? .image(reference, caption: caption) : .document(reference, filename: nil, caption: caption)
        }
        if !media.isEmpty { return media }
        if let latitude = form["Latitude"].flatMap(Double.init), let longitude = form["Longitude"].flatMap(Double.init) {
            return [.location(latitude: latitude, longitude: longitude, name: nonEmpty(form["Label"]),
                              address: nonEmpty(form["Address"]))]
        }
        if let payload = nonEmpty(form["ButtonPayload"]) {
            return [.choice(id: payload, title: nonEmpty(form["ButtonText"]))]
        }
        if let body { return [.text(body)] }
        return [.unsupported(type: "unknown", raw: String(decoding: FormEncoding.encode(raw), as: UTF8.self))]
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }
}
