import Foundation
import FieldlineDomain
import Testing

private func uuid(repeating pattern: [UInt8]) -> UUID {
    let b = (0..<16).map { pattern[$0 % pattern.count] }
    return UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
                       b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
}

@Suite("Cursor")
struct CursorTests {
    @Test("round-trips random and v7 ids")
    func roundTrip() throws {
        for id in (0..<200).map({ $0.isMultiple(of: 2) ? UUID() : UUIDv7.make() }) {
            let cursor = Cursor(lastID: id)
            let decoded = try #require(Cursor(encoded: cursor.encoded))
            #expect(decoded.lastID == id)
            #expect(decoded == cursor)
        }
    }

    @Test("encodes 16 bytes as 22 URL-safe characters without padding")
    func urlSafeShape() {
        for _ in 0..<200 {
            let encoded = Cursor(lastID: UUID()).encoded
            #expect(encoded.count == 22)
            #expect(encoded.allSatisfy { $0.isLetter && $0.isASCII || $0.isASCIIDigit || $0 == "-" || $0 == "_" })
        }
    }

    @Test("known vectors use '-' and '_' in place of '+' and '/'")
    func knownVectors() throws {
        #expect(Cursor(lastID: uuid(repeating: [0x00])).encoded == "AAAAAAAAAAAAAAAAAAAAAA")
        // 0xFF… is "/////…w==" in standard base64.
        let allOnes = uuid(repeating: [0xFF])
        #expect(Cursor(lastID: allOnes).encoded == "_____________________w")
        // 0xFB 0xEF 0xBE is "++++" in standard base64; the 16th byte (0xFB) alone is "+w==".
        let pluses = uuid(repeating: [0xFB, 0xEF, 0xBE])
        #expect(Cursor(lastID: pluses).encoded == String(repeating: "-", count: 21) + "w")
        #expect(try #require(Cursor(encoded: "_____________________w")).lastID == allOnes)
        #expect(try #require(Cursor(encoded: String(repeating: "-", count: 21) + "w")).lastID == pluses)
    }

    @Test("keeps the byte order of the id")
    func byteOrder() throws {
        let id = try #require(UUID(uuidString: "00010203-0405-0607-0809-0A0B0C0D0E0F"))
        // base64 of 00 01 02 … 0F
        #expect(Cursor(lastID: id).encoded == "AAECAwQFBgcICQoLDA0ODw")
    }

    @Test("refuses strings it did not issue", arguments: [
        "",
        "not a cursor",
        "!!!!!!!!!!!!!!!!!!!!!!",
        "AAAAAAAAAAAAAAAAAAAAA",  // 21 characters: 15 bytes and change
        "AAAAAAAAAAAAAAAAAAAA",  // 15 bytes
        "AAAAAAAAAAAAAAAAAAAAAAA",  // 23 characters: not valid base64
        "AAAAAAAAAAAAAAAAAAAAAAAA",  // 18 bytes
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",  // 33 bytes
        "AAAAAAAAAAA AAAAAAAAAAA",
        "AAAAAAAAAAAAAAAAAAAAAA\n",
        "ÄAAAAAAAAAAAAAAAAAAAAA",
        "00000000-0000-0000-0000-000000000000",  // a UUID string is not a cursor
    ])
    func refusesGarbage(candidate: String) {
        #expect(Cursor(encoded: candidate) == nil)
    }

    @Test("distinct ids give distinct cursors")
    func distinct() {
        let a = UUIDv7.make()
        let b = UUIDv7.make()
        #expect(a != b)
        #expect(Cursor(lastID: a).encoded != Cursor(lastID: b).encoded)
        #expect(Cursor(lastID: a) != Cursor(lastID: b))
    }
}
