import Foundation
import Testing
@testable import FieldlineServer

@Suite("Live stream: encoded events shared between sockets")
struct StreamEventTextsTests {
    @Test("a text is found by its id while fresh, the oldest go first when full, and stale ones are not reused")
    func cache() async throws {
        let texts = StreamEventTexts(capacity: 3, lifetime: .seconds(60))
        texts.store("one", for: 1)
        texts.store("two", for: 2)
        #expect(texts.texts(for: [1, 2, 3]) == [1: "one", 2: "two"])
        texts.store("three", for: 3)
        texts.store("four", for: 4)
        #expect(texts.texts(for: [1, 2, 3, 4]) == [2: "two", 3: "three", 4: "four"])
        #expect(texts.count == 3)
        // Storing an id again refreshes its text without taking a second place.
        texts.store("FOUR", for: 4)
        #expect(texts.count == 3)
        #expect(texts.texts(for: [4]) == [4: "FOUR"])
        for id in 5...20 { texts.store("\(id)", for: Int64(id)) }
        #expect(texts.count == 3)
        #expect(texts.texts(for: Array(1...20)) == [18: "18", 19: "19", 20: "20"])

        let brief = StreamEventTexts(capacity: 10, lifetime: .milliseconds(20))
        brief.store("soon stale", for: 7)
        #expect(brief.texts(for: [7]) == [7: "soon stale"])
        try await Task.sleep(for: .milliseconds(40))
        #expect(brief.texts(for: [7]).isEmpty)
    }
}
