import FieldlineDomain
import Testing

@Suite("ReplyContent.validate")
struct ReplyContentTests {
    func validate(
        text: String? = nil, choices: [ReplyChoice]? = nil, imageURL: String? = nil, caption: String? = nil,
        location: ReplyLocation? = nil
    ) throws -> ReplyContent {
        try ReplyContent.validate(text: text, choices: choices, imageURL: imageURL, caption: caption, location: location)
    }

    func error(_ make: () throws -> ReplyContent) -> ValidationError? {
        do {
            _ = try make()
            return nil
        } catch let error as ValidationError {
            return error
        } catch {
            return nil
        }
    }

    @Test("text, choices, image and location are kept cleaned; the kind follows what the reply carries")
    func kinds() throws {
        #expect(try validate(text: "  Hola ").text == "Hola")
        #expect(try validate(text: "Hola").kind == .text)
        let offer = try validate(text: "¿Aceptas?", choices: [ReplyChoice(id: " job42:accept ", title: " Aceptar "), ReplyChoice(id: "job42:decline", title: "Rechazar")])
        #expect(offer.kind == .choice)
        #expect(offer.choices == [ReplyChoice(id: "job42:accept", title: "Aceptar"), ReplyChoice(id: "job42:decline", title: "Rechazar")])
        let photo = try validate(imageURL: "https://cdn.example.com/p.jpg", caption: "Fachada")
        #expect(photo.kind == .image)
        #expect(photo.text == "Fachada")
        #expect(photo.imageURL == "https://cdn.example.com/p.jpg")
        let place = try validate(location: ReplyLocation(latitude: 40.4168, longitude: -3.7038, name: " Tienda 112 ", address: ""))
        #expect(place.kind == .location)
        #expect(place.location == ReplyLocation(latitude: 40.4168, longitude: -3.7038, name: "Tienda 112", address: nil))
        #expect(try validate(text: "x", choices: []).kind == .text)
    }

    @Test("refuses what no provider can carry, naming the field")
    func refusals() {
        let eleven = (1...11).map { ReplyChoice(id: "c\($0)", title: "Choice \($0)") }
        #expect(error { try validate(text: "Pick", choices: eleven) } == ValidationError(field: "choices", code: "too_many", message: "at most 10 choices are allowed, got 11"))
        #expect(error { try validate(text: "Pick", choices: [ReplyChoice(id: "a", title: "  ")]) }?.field == "choices[0].title")
        #expect(error { try validate(text: "Pick", choices: [ReplyChoice(id: "a", title: "A\nB")]) }?.field == "choices[0].title")
        #expect(error { try validate(text: "Pick", choices: [ReplyChoice(id: "", title: "A")]) }?.field == "choices[0].id")
        #expect(error { try validate(text: "Pick", choices: [ReplyChoice(id: "has space", title: "A")]) }?.field == "choices[0].id")
        #expect(error { try validate(text: "Pick", choices: [ReplyChoice(id: String(repeating: "a", count: 65), title: "A")]) }?.field == "choices[0].id")
        #expect(error { try validate(text: "Pick", choices: [ReplyChoice(id: "a", title: "Yes"), ReplyChoice(id: "a", title: "No")]) }?.code == "duplicate")
        #expect(error { try validate(text: "Pick", choices: [ReplyChoice(id: "a", title: "Yes"), ReplyChoice(id: "b", title: "yes")]) }?.field == "choices[1].title")
        #expect(error { try validate(choices: [ReplyChoice(id: "a", title: "Yes")]) }?.field == "text")
        #expect(error { try validate(imageURL: "http://cdn.example.com/p.jpg") }?.field == "image.url")
        #expect(error { try validate(imageURL: "https://") }?.field == "image.url")
        #expect(error { try validate(imageURL: "https://cdn.example.com/a b.jpg") }?.field == "image.url")
        #expect(error { try validate(imageURL: "ftp://x/y") }?.field == "image.url")
        #expect(error { try validate(text: "a", imageURL: "https://x.example/p.jpg", caption: "b") }?.field == "image.caption")
        #expect(error { try validate(imageURL: "https://x.example/p.jpg", caption: String(repeating: "c", count: 1025)) }?.code == "too_long")
        #expect(error { try validate(location: ReplyLocation(latitude: 91, longitude: 0)) }?.field == "location.latitude")
        #expect(error { try validate(location: ReplyLocation(latitude: 0, longitude: -180.5)) }?.field == "location.longitude")
        #expect(error { try validate(location: ReplyLocation(latitude: .nan, longitude: 0)) }?.code == "out_of_range")
        #expect(error { try validate() }?.code == "missing_field")
        #expect(error { try validate(text: "   ") }?.field == "text")
    }
}
