import FieldlineDomain
import Testing

@Suite("ChannelHandle")
struct ChannelHandleTests {
    @Test("accepts lower-case letters, digits and dashes, trimmed", arguments: [
        ("sur-norte", "sur-norte"),
        ("  coord\n", "coord"),
        ("a", "a"),
        ("42", "42"),
        ("a--b-", "a--b-"),
        (String(repeating: "z", count: 40), String(repeating: "z", count: 40)),
    ])
    func accepts(input: String, expected: String) throws {
        #expect(try ChannelHandle.validate(input) == expected)
    }

    @Test("refuses empty, long, upper-case, accented, dash-first and spaced handles", arguments: [
        "", "  ", String(repeating: "z", count: 41), "Sur", "señal", "-sur", "sur norte", "sur_norte", "#sur",
    ])
    func refuses(input: String) {
        #expect(throws: ValidationError.self) { try ChannelHandle.validate(input) }
    }

    @Test("a leading #handle addresses the rest of the text; the token is lower-cased", arguments: [
        ("#sur-norte Llego en 10", "sur-norte", "Llego en 10"),
        ("  #Sur-Norte   Llego en 10  ", "sur-norte", "Llego en 10"),
        ("#coord\nPrimera línea\nSegunda", "coord", "Primera línea\nSegunda"),
        ("#COORD\t#otro texto", "coord", "#otro texto"),
    ])
    func addressed(text: String, handle: String, rest: String) throws {
        let found = try #require(ChannelHandle.addressed(text))
        #expect(found.handle == handle)
        #expect(found.text == rest)
    }

    @Test("no prefix, a token that is not handle-shaped, or nothing after it is not addressed", arguments: [
        "Llego en 10", "#coord", "#coord   ", "# coord hola", "#señal hola", "#-x hola", "hola #coord vamos", "",
        "#\(String(repeating: "z", count: 41)) hola",
    ])
    func notAddressed(text: String) {
        #expect(ChannelHandle.addressed(text) == nil)
    }
}
