import FieldlineChannels
import Testing

/// Feeds every published vector through the real code, dispatching on its kind.
@Suite("Published vectors")
struct VectorsTests {
    /// The number of entries in `Tests/Fixtures/vectors.json`; change it only with the fixture.
    static let publishedCount = 46

    @Test("every vector in the fixture is consumed, and none is of an unknown kind")
    func everyVectorIsConsumed() {
        #expect(Vectors.all.count == Self.publishedCount)
        let unknown = Vectors.all.filter { $0.kind == nil }.map(\.testDescription)
        #expect(unknown.isEmpty, "vectors of a kind no check handles: \(unknown)")
        let consumed = VectorKind.allCases.map { Vectors.of($0).count }.reduce(0, +)
        #expect(consumed == Vectors.all.count)
        for kind in VectorKind.allCases {
            #expect(!Vectors.of(kind).isEmpty, "no vector of kind \(kind.rawValue)")
        }
    }

    @Test("vector", arguments: Vectors.all)
    func check(_ vector: Vector) throws {
        let kind = try #require(vector.kind)
        switch kind {
        case .twilioSignature: try TwilioVectorChecks.signature(vector)
        case .twilioBodySHA256: TwilioVectorChecks.bodySHA256(vector)
        case .twimlMessagingResponse: try TwilioVectorChecks.twiml(vector)
        case .hubSignature256: try MetaVectorChecks.hubSignature(vector)
        case .metaVerifyHandshake: try MetaVectorChecks.handshake(vector)
        case .telegramUpdate: try TelegramVectorChecks.update(vector)
        case .whatsappMessageObject: try WhatsAppVectorChecks.messageObject(vector)
        case .whatsappWebhook: try WhatsAppVectorChecks.webhook(vector)
        case .whatsappSendRequest: try WhatsAppVectorChecks.sendRequest(vector)
        case .whatsappSendResponse: try WhatsAppVectorChecks.sendResponse(vector)
        case .whatsappMediaURLResponse: try WhatsAppVectorChecks.mediaURLResponse(vector)
        case .messengerWebhookEvent: try MessengerVectorChecks.event(vector)
        case .messengerSendRequest: try MessengerVectorChecks.sendRequest(vector)
        }
    }
}
