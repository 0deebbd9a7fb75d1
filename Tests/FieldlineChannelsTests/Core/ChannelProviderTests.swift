import FieldlineChannels
import FieldlineDomain
import Testing

@Suite("Channel providers")
struct ChannelProviderTests {
    @Test("the four messaging providers and the sandbox phone are named as in the API and SQL")
    func providerNames() {
        #expect(ChannelProvider.allCases.map(\.rawValue) == ["whatsapp", "telegram", "sms", "messenger", "sandbox"])
    }

    @Test("every provider is also a member identity kind")
    func providersAreIdentityKinds() {
        for provider in ChannelProvider.allCases {
            #expect(IdentityKind(rawValue: provider.rawValue) != nil)
        }
    }
}
