import FieldlineDomain
import Foundation

/// The body of `POST /v1/conversations/{id}/messages`: text and/or choices, an image, a location.
struct ReplyRequest: RequestBody {
    let text: String?
    let choices: [ChoiceBody]?
    let image: ImageBody?
    let location: LocationBody?
    enum CodingKeys: String, CodingKey, CaseIterable { case text, choices, image, location }

    /// `{"id", "title"}`.
    struct ChoiceBody: NestedBody {
        let id: String
        let title: String
        enum CodingKeys: String, CodingKey, CaseIterable { case id, title }

        init(from decoder: any Decoder) throws {
            try Self.refuseUnknownFields(decoder)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decode(String.self, forKey: .id)
            title = try container.decode(String.self, forKey: .title)
        }
    }

    /// `{"url", "caption"}`.
    struct ImageBody: NestedBody {
        let url: String
        let caption: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case url, caption }

        init(from decoder: any Decoder) throws {
            try Self.refuseUnknownFields(decoder)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            url = try container.decode(String.self, forKey: .url)
            caption = try container.decodeIfPresent(String.self, forKey: .caption)
        }
    }

    /// `{"latitude", "longitude", "name", "address"}`.
    struct LocationBody: NestedBody {
        let latitude: Double
        let longitude: Double
        let name: String?
        let address: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case latitude, longitude, name, address }

        init(from decoder: any Decoder) throws {
            try Self.refuseUnknownFields(decoder)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            latitude = try container.decode(Double.self, forKey: .latitude)
            longitude = try container.decode(Double.self, forKey: .longitude)
            name = try container.decodeIfPresent(String.self, forKey: .name)
            address = try container.decodeIfPresent(String.self, forKey: .address)
        }
    }

    /// The validated content (422 naming the field otherwise).
    func content() throws -> ReplyContent {
        try ReplyContent.validate(
            text: text, choices: choices?.map { ReplyChoice(id: $0.id, title: $0.title) },
            imageURL: image?.url, caption: image?.caption,
            location: location.map { ReplyLocation(latitude: $0.latitude, longitude: $0.longitude, name: $0.name, address: $0.address) })
    }
}

/// What an outbound message's `payload` column holds besides its text: the reply's choices,
/// image and location, or the approved template a system message stands for.
struct ReplyPayload: Codable, Sendable, Equatable {
    /// An image by URL.
    struct Image: Codable, Sendable, Equatable {
        let url: String
    }

    /// An approved WhatsApp template sent to reopen the service window.
    struct Template: Codable, Sendable, Equatable {
        let name: String
        let language: String
    }

    /// A dispatch offer's fields, which its provider's offer template carries outside the
    /// service window (`config.offer_template`, docs/dispatch.md).
    struct OfferFields: Codable, Sendable, Equatable {
        let offerID: UUID
        let orderNumber: String
        let title: String
        /// The job's address, or "-" (a template parameter may not be empty).
        let address: String
        /// The job's time window, or "-".
        let window: String

        enum CodingKeys: String, CodingKey {
            case offerID = "offer_id", orderNumber = "order_number", title, address, window
        }
    }

    var choices: [ReplyChoice]?
    var image: Image?
    var location: ReplyLocation?
    var template: Template?
    var offer: OfferFields?

    /// The payload of a validated reply.
    init(_ content: ReplyContent) {
        choices = content.choices.isEmpty ? nil : content.choices
        image = content.imageURL.map(Image.init(url:))
        location = content.location
    }

    /// The payload of a template message.
    init(template: Template) {
        self.template = template
    }

    /// Reads a stored payload; anything unreadable is an empty payload (a plain text message).
    init(json: String) {
        self = (try? JSONDecoder().decode(ReplyPayload.self, from: Data(json.utf8))) ?? ReplyPayload(ReplyContent(text: nil))
    }

    /// The JSON stored in the `payload` column.
    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
