import FieldlineChannels
import Foundation
import Testing

/// SMS/MMS through Twilio behind `ProviderAdapter`, with the helper libraries' published signatures.
@Suite("Twilio adapter")
struct TwilioAdapterTests {
    let adapter = ChannelProvider.sms.adapter
    let account = AccountSettings(
        credentials: AccountCredentials(accessToken: "twilio-token", signingSecret: "twilio-token", accountSID: "AC123"),
        config: ["phone_number": "+34900000000"])

    @Test("the published signatures verify through the adapter, form or JSON, at the URL called")
    func publishedSignatures() throws {
        let vectors = Vectors.of(.twilioSignature)
        #expect(!vectors.isEmpty)
        for vector in vectors {
            let url = try #require(vector.inputs["url"]?.string)
            let token = try #require(vector.inputs["auth_token"]?.string)
            let header = try #require(vector.expected.string)
            let (body, type) = vector.rawBody.map { ($0, "application/json") }
                ?? (FormEncoding.encode(TwilioVectorChecks.fields(vector)), "application/x-www-form-urlencoded")
            let webhook = InboundWebhook(body: body, url: url, headers: ["Content-Type": type, "X-Twilio-Signature": header])
            let settings = AccountSettings(credentials: AccountCredentials(accessToken: token, signingSecret: token))
            if vector.expectedValid == true {
                try adapter.verify(webhook, account: settings)
                #expect(throws: SignatureError.mismatch) {
                    try adapter.verify(InboundWebhook(body: body, url: url + "&x=1", headers: ["Content-Type": type, "X-Twilio-Signature": header]), account: settings)
                }
            } else {
                #expect(throws: SignatureError.missingBodyHash) { try adapter.verify(webhook, account: settings) }
            }
            if vector.rawBody != nil { #expect(try adapter.parse(webhook).isEmpty) }
        }
    }

    @Test("a signed MMS verifies and parses into one message per media item")
    func verifyAndParse() throws {
        let url = "https://fieldline.example/v1/hooks/sms/abc"
        let fields = [
            FormField("MessageSid", "MM1"), FormField("From", "+34600111222"), FormField("To", "+34900000000"), FormField("Body", "Hecho"),
            FormField("NumMedia", "2"), FormField("MediaUrl0", "https://api.twilio.com/m/0"), FormField("MediaContentType0", "image/jpeg"),
            FormField("MediaUrl1", "https://api.twilio.com/m/1"), FormField("MediaContentType1", "application/pdf"),
        ]
        let body = FormEncoding.encode(fields)
        let signature = TwilioSignature.sign(url: url, parameters: fields, authToken: "twilio-token")
        let webhook = InboundWebhook(body: body, url: url, headers: ["content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signature])
        let events = try adapter.verifiedEvents(webhook, account: account)
        #expect(events == TwilioInbound.parse(formBody: body))
        #expect(events.count == 2)
    }

    @Test("sending needs the account SID and config.phone_number")
    func render() throws {
        let message = OutboundMessage(text: "Hola")
        var noSID = account
        noSID.credentials.accountSID = nil
        #expect(throws: RenderError.misconfigured(.sms, "the account SID is missing")) {
            try adapter.render(message, to: "+34600111222", account: noSID, messageTag: nil)
        }
        var noNumber = account
        noNumber.config = [:]
        #expect(throws: RenderError.misconfigured(.sms, "config.phone_number is not set")) {
            try adapter.render(message, to: "+34600111222", account: noNumber, messageTag: nil)
        }
        let request = try #require(try adapter.render(message, to: "+34600111222", account: account, messageTag: nil).first)
        #expect(request.path == "/2010-04-01/Accounts/AC123/Messages.json")
        #expect(String(decoding: request.body, as: UTF8.self).contains("From=%2B34900000000"))
    }

    @Test("a send answer gives the message SID")
    func sendResponse() throws {
        let answer = #"{"sid":"SM1234567890abcdef1234567890abcdef","status":"queued"}"#
        #expect(try adapter.messageID(inSendResponse: Array(answer.utf8), recipient: "+34600111222") == "SM1234567890abcdef1234567890abcdef")
    }

    @Test("media: one GET, with basic auth only on the configured Twilio API origin")
    func mediaPlan() throws {
        let media = MediaReference(url: "https://api.twilio.com/2010-04-01/Accounts/AC123/Messages/MM1/Media/ME1", mimeType: "image/jpeg")
        let basic = ProviderRequest.Header("Authorization", "Basic " + Data("AC123:twilio-token".utf8).base64EncodedString())
        for base in ["https://api.twilio.com", "https://api.twilio.com:443"] {
            let download = try #require(try adapter.mediaDownload(media, account: account, apiBaseURL: base).download)
            #expect(download == MediaDownload(url: media.url ?? "", headers: [basic], declaredType: "image/jpeg"))
        }
        let elsewhere = try #require(try adapter.mediaDownload(media, account: account, apiBaseURL: "http://127.0.0.1:9000").download)
        #expect(elsewhere.headers.isEmpty)
        #expect(throws: MediaDownloadError.notHTTP) {
            try adapter.mediaDownload(MediaReference(url: "ftp://api.twilio.com/x"), account: account, apiBaseURL: "https://api.twilio.com")
        }
        #expect(throws: MediaDownloadError.missing("url")) { try adapter.mediaDownload(MediaReference(), account: account, apiBaseURL: "") }
        var noSID = account
        noSID.credentials.accountSID = nil
        #expect(throws: MediaDownloadError.misconfigured("the account SID is missing")) {
            try adapter.mediaDownload(media, account: noSID, apiBaseURL: "https://api.twilio.com")
        }
        #expect(throws: MediaDownloadError.accountRequired) { try adapter.mediaDownload(media, account: nil, apiBaseURL: "") }
    }
}
