import FieldlineChannels
import Testing

@Suite("Channel providers")
struct ProvidersTests {
    @Test("the four messaging providers are named as in the API and SQL")
    func providerNames() {
        #expect(FieldlineChannels.providers == ["whatsapp", "telegram", "sms", "messenger"])
    }
}
