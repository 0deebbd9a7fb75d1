import Foundation
import PostgresNIO
import Testing
@testable import FieldlineServer

@Suite("Queuing outbox work")
struct OutboxEnqueueTests {
    @Test("a row due later waits for its time; one without a time is due now")
    func availableAt() async throws {
        try await OutboxTestSupport.run { database, tenantID in
            let later = Date().addingTimeInterval(3600)
            let conversation = UUID()
            try await OutboxTestSupport.enqueue(WakeConversation.self, .init(conversationID: conversation), availableAt: later, tenantID: tenantID, database)
            try await OutboxTestSupport.enqueue(RecordingJob.self, .init(noteID: UUID(), text: "now"), tenantID: tenantID, database)
            let rows = try await OutboxTestSupport.rows(database)
            #expect(rows.map(\.topic) == ["conversation.wake", "test.record"])
            #expect(abs(rows[0].dueIn - 3600) < 5)
            #expect(rows[1].dueIn <= 0)
            let stored = try await database.client.query(
                "SELECT available_at FROM outbox WHERE topic = 'conversation.wake'", logger: database.logger
            ).first { try $0.decode(Date.self) }
            #expect(abs(try #require(stored).timeIntervalSince(later)) < 0.001)

            let claimed = try await OutboxStore(database: database).claim(limit: 10, lease: .seconds(60))
            #expect(claimed.map(\.topic) == ["test.record"])
        }
    }

    @Test("a payload is stored as PostgreSQL writes it from uuid columns: the same keys, lowercase ids")
    func storedLikeSQL() async throws {
        try await OutboxTestSupport.run { database, tenantID in
            let message = UUID()
            let conversation = UUID()
            try await OutboxTestSupport.enqueue(SendMessage.self, .init(messageID: message, conversationID: conversation), tenantID: tenantID, database)
            let same = try await database.client.query(
                "SELECT payload = jsonb_build_object('message_id', \(message), 'conversation_id', \(conversation)) FROM outbox",
                logger: database.logger
            ).first { try $0.decode(Bool.self) }
            #expect(same == true)
            #expect(try await OutboxTestSupport.rows(database).first?.payload
                == #"{"message_id": "\#(message.uuidString.lowercased())", "conversation_id": "\#(conversation.uuidString.lowercased())"}"#)
            #expect(try OutboxPayload.encode(SendMessage.Payload(messageID: message, conversationID: conversation))
                == #"{"conversation_id":"\#(conversation.uuidString.lowercased())","message_id":"\#(message.uuidString.lowercased())"}"#)
        }
    }

    @Test("skipIfPending adds no row while one for the same key is waiting and due no later")
    func duplicates() async throws {
        try await OutboxTestSupport.run { database, tenantID in
            let team = UUID()
            let opening = Date().addingTimeInterval(3600)
            func drain(_ team: UUID, at date: Date) async throws -> Bool {
                try await OutboxTestSupport.enqueue(
                    DrainRoutingQueue.self, .init(teamID: team), availableAt: date, duplicates: .skipIfPending(key: "team_id"),
                    tenantID: tenantID, database)
            }
            #expect(try await drain(team, at: opening))
            #expect(try await !drain(team, at: opening))
            #expect(try await !drain(team, at: opening.addingTimeInterval(600)))
            // An earlier opening is not covered by the waiting row.
            #expect(try await drain(team, at: opening.addingTimeInterval(-600)))
            // Another team, and the same work without the option, are not duplicates.
            #expect(try await drain(UUID(), at: opening))
            try await OutboxTestSupport.enqueue(DrainRoutingQueue.self, .init(teamID: team), availableAt: opening, tenantID: tenantID, database)
            #expect(try await OutboxTestSupport.rows(database).count == 4)

            // Finished rows do not count.
            try await database.client.query("UPDATE outbox SET done_at = now()", logger: database.logger)
            #expect(try await drain(team, at: opening))

            // A row an older release wrote (by SQL, lowercase) is recognised as the same work.
            let other = UUID()
            try await database.client.query("""
                INSERT INTO outbox (tenant_id, topic, payload, available_at)
                VALUES (\(tenantID), 'routing.drain', jsonb_build_object('team_id', \(other)), \(opening))
                """, logger: database.logger)
            #expect(try await !drain(other, at: opening))
            #expect(try await OutboxTestSupport.rows(database).count == 6)
        }
    }

    @Test("OutboxSQL writes the same rows as enqueue, and checks its keys against the payload type")
    func setBased() async throws {
        #expect(OutboxSQL.decodes(SendMessage.self, keys: ["message_id", "conversation_id"]))
        #expect(!OutboxSQL.decodes(SendMessage.self, keys: ["message_id"]))
        #expect(!OutboxSQL.decodes(SendMessage.self, keys: ["message_id", "conversationID"]))
        try await OutboxTestSupport.run { database, tenantID in
            let message = UUID()
            let conversation = UUID()
            let insert = OutboxSQL.insert(
                SendMessage.self, tenant: "$1", payload: ["message_id": "id", "conversation_id": "conversation_id"],
                from: "(SELECT $2::uuid AS id, $3::uuid AS conversation_id) AS source")
            var bindings = PostgresBindings()
            bindings.append(tenantID)
            bindings.append(message)
            bindings.append(conversation)
            try await database.client.query(PostgresQuery(unsafeSQL: insert, binds: bindings), logger: database.logger)
            try await OutboxTestSupport.enqueue(SendMessage.self, .init(messageID: message, conversationID: conversation), tenantID: tenantID, database)
            let rows = try await OutboxTestSupport.rows(database)
            #expect(rows.count == 2)
            #expect(Set(rows.map(\.payload)).count == 1)
            #expect(Set(rows.map(\.topic)) == ["message.send"])
            let claimed = try await OutboxStore(database: database).claim(limit: 10, lease: .seconds(60))
            for item in claimed {
                #expect(try OutboxPayload.decode(SendMessage.Payload.self, from: item.payload, topic: item.topic)
                    == .init(messageID: message, conversationID: conversation))
            }
        }
    }
}
