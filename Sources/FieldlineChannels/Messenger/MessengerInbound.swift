/// Reads Messenger Platform webhooks into `InboundEvent`s
/// (https://developers.facebook.com/docs/messenger-platform/webhooks,
/// https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messages).
///
/// Accepts the classic `entry[].messaging[]` (and `standby[]`) events and the `entry[].changes[]`
/// `{field, value}` shape. Echoes of our own messages are skipped. Verify `X-Hub-Signature-256`
/// with `HubSignature` before calling this.
public enum MessengerInbound {
    /// Parses a webhook body. Throws only when the body is not JSON or not a Page webhook.
    public static func parse(_ body: some Collection<UInt8>) throws(ChannelParseError) -> [InboundEvent] {
        let root = try JSONValue.parse(body, provider: .messenger)
        guard root.members != nil else {
            throw .unexpectedPayload(provider: .messenger, detail: "the body is not a JSON object")
        }
        if let object = root["object"]?.string, object != "page" {
            throw .unexpectedPayload(provider: .messenger, detail: "object is '\(object)'")
        }
        var events: [InboundEvent] = []
        for entry in root["entry"]?.elements ?? [] {
            let classic = (entry["messaging"]?.elements ?? []) + (entry["standby"]?.elements ?? [])
            let changed = (entry["changes"]?.elements ?? []).compactMap { $0["value"] }
            for event in classic + changed {
                events += MessengerEvent.parse(event)
            }
        }
        return events
    }
}
