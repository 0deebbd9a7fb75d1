import FieldlineChannels
import Foundation
import Testing

@Suite("Media download requests")
struct MediaDownloadTests {
    let bot = TelegramBot(token: "123:ABC")

    @Test("Telegram getFile: the request escapes the file id; the answer gives the download path")
    func telegramGetFile() throws {
        let request = TelegramFile.infoRequest(fileID: "AgAC+x/y=", bot: bot)
        #expect(request.method == "GET")
        #expect(request.path == "/bot123:ABC/getFile?file_id=AgAC%2Bx%2Fy%3D")
        let answer = #"{"ok":true,"result":{"file_id":"AgAC","file_unique_id":"AQAD","file_size":48213,"file_path":"photos/file 0.jpg"}}"#
        let info = try TelegramFile.parseInfo(Array(answer.utf8))
        #expect(info == TelegramFile.Info(filePath: "photos/file 0.jpg", fileSize: 48213))
        #expect(TelegramFile.downloadPath(info, bot: bot) == "/file/bot123:ABC/photos/file%200.jpg")
    }

    @Test("Telegram getFile: an error answer or a path that climbs out is refused", arguments: [
        #"{"ok":false,"error_code":400,"description":"Bad Request: invalid file_id"}"#,
        #"{"ok":true,"result":{"file_id":"x"}}"#,
        #"{"ok":true,"result":{"file_id":"x","file_path":"../../bot999:other/getMe"}}"#,
        #"{"ok":true,"result":{"file_id":"x","file_path":"/etc/passwd"}}"#,
    ])
    func telegramRefused(answer: String) {
        #expect(throws: ChannelParseError.self) { try TelegramFile.parseInfo(Array(answer.utf8)) }
    }

    @Test("Telegram getFile: the provider's reason is kept")
    func telegramReason() {
        #expect(throws: ChannelParseError.unexpectedPayload(provider: .telegram, detail: "getFile failed: Bad Request: file is too big")) {
            try TelegramFile.parseInfo(Array(#"{"ok":false,"description":"Bad Request: file is too big"}"#.utf8))
        }
    }

    @Test("Twilio media: basic auth with the account SID and auth token")
    func twilioBasicAuth() {
        let header = TwilioMedia.authorization(TwilioAccount(accountSID: "AC123", authToken: "secret"))
        #expect(header.name == "Authorization")
        #expect(header.value == "Basic " + Data("AC123:secret".utf8).base64EncodedString())
        #expect(header.value == "Basic QUMxMjM6c2VjcmV0")
    }
}
