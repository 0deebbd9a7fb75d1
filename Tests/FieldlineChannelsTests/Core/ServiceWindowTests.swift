import FieldlineChannels
import Foundation
import Testing

@Suite("ServiceWindow")
struct ServiceWindowTests {
    let last = Date(timeIntervalSince1970: 1_750_000_000)
    let template = MessageTemplate(name: "reopen_conversation", languageCode: "en_US")

    @Test("WhatsApp and Messenger send free-form until one second before 24 h", arguments: [ChannelProvider.whatsapp, .messenger])
    func insideWindow(provider: ChannelProvider) {
        for offset in [0, 1, 3_600, 86_399] as [TimeInterval] {
            #expect(ServiceWindow.decide(provider: provider, lastInboundAt: last, now: last + offset, template: template) == .sendFreeForm)
        }
    }

    @Test("at exactly 24 h WhatsApp switches to the template")
    func whatsappAtBoundary() {
        #expect(ServiceWindow.decide(provider: .whatsapp, lastInboundAt: last, now: last + 86_400, template: template) == .useTemplate(template))
        #expect(ServiceWindow.decide(provider: .whatsapp, lastInboundAt: last, now: last + 90_000, template: template) == .useTemplate(template))
    }

    @Test("a closed WhatsApp window without a template holds the message with a reason")
    func whatsappHold() {
        guard case .hold(let reason) = ServiceWindow.decide(provider: .whatsapp, lastInboundAt: last, now: last + 86_400) else {
            Issue.record("expected hold")
            return
        }
        #expect(reason.contains("24 hours"))
    }

    @Test("Messenger never uses a WhatsApp template: it holds")
    func messengerHolds() {
        let decision = ServiceWindow.decide(provider: .messenger, lastInboundAt: last, now: last + 86_400, template: template)
        guard case .hold = decision else {
            Issue.record("expected hold, got \(decision)")
            return
        }
    }

    @Test("a member who never wrote has no open window")
    func neverWrote() {
        #expect(ServiceWindow.decide(provider: .whatsapp, lastInboundAt: nil, now: last, template: template) == .useTemplate(template))
        guard case .hold(let reason) = ServiceWindow.decide(provider: .messenger, lastInboundAt: nil, now: last) else {
            Issue.record("expected hold")
            return
        }
        #expect(reason.contains("never"))
    }

    @Test("Telegram and SMS have no window", arguments: [ChannelProvider.telegram, .sms])
    func noWindow(provider: ChannelProvider) {
        #expect(ServiceWindow.decide(provider: provider, lastInboundAt: nil, now: last) == .sendFreeForm)
        #expect(ServiceWindow.decide(provider: provider, lastInboundAt: last, now: last + 1_000_000) == .sendFreeForm)
    }

    @Test("Messenger's HUMAN_AGENT tag covers 7 days after the member's last message, and nobody who never wrote")
    func humanAgentTag() {
        #expect(ServiceWindow.allowsHumanAgentTag(lastInboundAt: last, now: last + 6 * 86_400))
        #expect(ServiceWindow.allowsHumanAgentTag(lastInboundAt: last, now: last + 7 * 86_400 - 1))
        #expect(!ServiceWindow.allowsHumanAgentTag(lastInboundAt: last, now: last + 7 * 86_400))
        #expect(!ServiceWindow.allowsHumanAgentTag(lastInboundAt: nil, now: last))
    }
}
