import FieldlineChannels
import Testing

@Suite("Choices: capabilities, numbered text and answers")
struct ChoiceRenderingTests {
    static func choices(_ count: Int, title: String = "Option") -> [Choice] {
        (1...count).map { Choice(id: "c\($0)", title: "\(title) \($0)") }
    }

    @Test("WhatsApp: buttons up to 3, a list up to 10, then numbered text")
    func whatsappPlan() {
        let whatsapp = Capabilities.whatsapp
        #expect(whatsapp.choiceRendering(for: []) == .none)
        #expect(whatsapp.choiceRendering(for: Self.choices(3)) == .buttons)
        #expect(whatsapp.choiceRendering(for: Self.choices(4)) == .list)
        #expect(whatsapp.choiceRendering(for: Self.choices(10)) == .list)
        #expect(whatsapp.choiceRendering(for: Self.choices(11)) == .numberedText)
    }

    @Test("WhatsApp: a 21–24 character title moves buttons to a list; longer ones to text")
    func whatsappTitleLengths() {
        let whatsapp = Capabilities.whatsapp
        #expect(whatsapp.choiceRendering(for: [Choice(id: "a", title: String(repeating: "x", count: 20))]) == .buttons)
        #expect(whatsapp.choiceRendering(for: [Choice(id: "a", title: String(repeating: "x", count: 21))]) == .list)
        #expect(whatsapp.choiceRendering(for: [Choice(id: "a", title: String(repeating: "x", count: 25))]) == .numberedText)
    }

    @Test("SMS always numbers; Messenger quick replies stop at 13; Telegram ids stop at 64 bytes")
    func otherProviders() {
        #expect(Capabilities.of(.sms).choiceRendering(for: Self.choices(2)) == .numberedText)
        #expect(Capabilities.of(.messenger).choiceRendering(for: Self.choices(13)) == .buttons)
        #expect(Capabilities.of(.messenger).choiceRendering(for: Self.choices(14)) == .numberedText)
        #expect(Capabilities.of(.telegram).choiceRendering(for: [Choice(id: String(repeating: "i", count: 64), title: "ok")]) == .buttons)
        #expect(Capabilities.of(.telegram).choiceRendering(for: [Choice(id: String(repeating: "i", count: 65), title: "ok")]) == .numberedText)
    }

    @Test("numbered text is '1) Accept\\n2) Decline' after the text")
    func numberedText() {
        let choices = [Choice(id: "accept", title: "Accept"), Choice(id: "decline", title: "Decline")]
        #expect(NumberedChoices.render(choices) == "1) Accept\n2) Decline")
        #expect(OutboundMessage(text: "Job 42?", choices: choices).textWithNumberedChoices == "Job 42?\n\n1) Accept\n2) Decline")
    }

    @Test("a numeric SMS answer maps back to the choice id", arguments: [
        ("1", "accept"), ("2", "decline"), (" 2 ", "decline"), ("2)", "decline"), ("#1", "accept"), ("2.", "decline"),
        ("decline", "decline"), ("ACCEPT", "accept"),
    ])
    func answers(answer: String, id: String) {
        let choices = [Choice(id: "accept", title: "Accept"), Choice(id: "decline", title: "Decline")]
        #expect(NumberedChoices.match(answer, in: choices)?.id == id)
    }

    @Test("anything else is not a choice", arguments: ["0", "3", "12", "yes please", "", "1 2", "-1"])
    func nonAnswers(answer: String) {
        let choices = [Choice(id: "accept", title: "Accept"), Choice(id: "decline", title: "Decline")]
        #expect(NumberedChoices.match(answer, in: choices) == nil)
    }
}
