import FieldlineChannels
import FieldlineDomain
import Foundation
import HummingbirdTesting
import PostgresNIO
import Testing
@testable import FieldlineServer

@Suite("Ingest group commit: one transaction for many messages")
struct IngestBatchTests {
    static func message(_ id: String, from sender: String, _ text: String, unverified: UUID? = nil) -> InboundMessageInput {
        var input = InboundMessageInput(provider: .app, sender: sender, providerMessageID: id, kind: .text, text: text)
        input.unknownSenderOrganizationID = unverified
        return input
    }

    /// Provider message id → (text, conversation, the transaction that inserted it) of the tenant's messages.
    static func stored(_ database: Database, _ tenantID: UUID) async throws -> [String: (text: String, conversation: UUID, transaction: String)] {
        try await database.withTenant(tenantID) { connection in
            var rows: [String: (text: String, conversation: UUID, transaction: String)] = [:]
            for try await (id, text, conversation, xmin) in try await connection.query(
                "SELECT provider_message_id, body, conversation_id, xmin::text FROM messages WHERE provider_message_id IS NOT NULL",
                logger: database.logger
            ).decode((String, String, UUID, String).self) {
                rows[id] = (text, conversation, xmin)
            }
            return rows
        }
    }

    @Test("a batch stores each message once, a sender's in order, a stranger as a new member, all in one transaction")
    func oneTransaction() async throws {
        try await TestApp.run { client, fixtures in
            let fixture = try await fixtures.tenant()
            let tenantID = fixture.tenant.id
            let admin = APICaller(client, fixture)
            let org = try #require(try await admin.post("/v1/organizations", #"{"kind":"subcontractor","name":"Unverified"}"#).json["id"].string)
            _ = try await admin.post("/v1/members", #"{"organization_id":"\#(org)","name":"Lucía","identities":[{"kind":"app","external_id":"lucia"}]}"#)
            let pipeline = InboundPipeline.standard(database: fixtures.database)
            let first = try await pipeline.ingest(Self.message("m-0", from: "lucia", "hola"), tenantID: tenantID)

            let unverified = try #require(UUID(uuidString: org))
            let results = try await pipeline.ingest([
                Self.message("m-1", from: "lucia", "uno"),
                Self.message("s-1", from: "stranger", "¿quién?", unverified: unverified),
                Self.message("m-2", from: "lucia", "dos"),
                Self.message("m-0", from: "lucia", "hola"),
                Self.message("s-1", from: "stranger", "¿quién?", unverified: unverified),
            ], tenantID: tenantID).map { try $0.get() }

            #expect(results.map(\.duplicate) == [false, false, false, true, true])
            #expect(results[3].messageId == first.messageId)
            #expect(results[4].messageId == results[1].messageId)
            #expect(results[0].conversationId == first.conversationId && results[2].conversationId == first.conversationId)
            #expect(results[1].conversationId != first.conversationId)

            let stored = try await Self.stored(fixtures.database, tenantID)
            #expect(stored.count == 4)
            #expect(Set(["m-1", "m-2", "s-1"].compactMap { stored[$0]?.transaction }).count == 1)
            #expect(stored["m-0"]?.transaction != stored["m-1"]?.transaction)
            // Lucía's messages, newest first, in the order she sent them.
            let lucia = try await admin.get("/v1/conversations/\(first.conversationId.uuidString.lowercased())/messages").json["data"].array
            #expect(lucia.map { $0["text"].string } == ["dos", "uno", "hola"])
            let members = try await admin.get("/v1/members?organization_id=\(org)").json["data"].array
            #expect(members.count == 2)

            // One stream event per new message, and the stranger's conversation opened.
            let kinds = try await fixtures.database.withTenant(tenantID) { connection in
                try await connection.query("""
                    SELECT kind FROM stream_events WHERE conversation_id = \(results[1].conversationId)
                    UNION ALL SELECT kind FROM stream_pending WHERE conversation_id = \(results[1].conversationId)
                    """, logger: fixtures.database.logger
                ).collect().map { try $0.decode(String.self) }
            }
            #expect(kinds.sorted() == ["conversation.opened", "message.created"])
        }
    }

    @Test("members without an open conversation get one each in the batch; one member writing through two identities gets one")
    func conversationsOpenedTogether() async throws {
        try await TestApp.run { client, fixtures in
            let fixture = try await fixtures.tenant()
            let admin = APICaller(client, fixture)
            let org = try #require(try await admin.post("/v1/organizations", #"{"kind":"subcontractor","name":"Tow"}"#).json["id"].string)
            _ = try await admin.post("/v1/members", #"{"organization_id":"\#(org)","name":"Ana","identities":[{"kind":"app","external_id":"ana"}]}"#)
            _ = try await admin.post("/v1/members", #"{"organization_id":"\#(org)","name":"Bea","identities":[{"kind":"app","external_id":"bea"},{"kind":"sms","external_id":"+34600111222"}]}"#)
            var bySMS = InboundMessageInput(provider: .channel(.sms), sender: "+34600111222", providerMessageID: "sms-1", kind: .text, text: "por SMS")
            bySMS.senderName = "Bea"
            let results = try await InboundPipeline.standard(database: fixtures.database).ingest([
                Self.message("a-1", from: "ana", "hola"), Self.message("b-1", from: "bea", "por la app"), bySMS,
            ], tenantID: fixture.tenant.id).map { try $0.get() }
            #expect(results[0].conversationId != results[1].conversationId)
            #expect(results[1].conversationId == results[2].conversationId)
            let opened = try await fixtures.database.withTenant(fixture.tenant.id) { connection in
                try await connection.query(
                    "SELECT conversation_id FROM conversation_events WHERE kind = 'opened'", logger: fixtures.database.logger
                ).collect { try $0.decode(UUID.self) }
            }
            #expect(opened.sorted { $0.uuidString < $1.uuidString } == [results[0].conversationId, results[1].conversationId].sorted { $0.uuidString < $1.uuidString })
            let stored = try await Self.stored(fixtures.database, fixture.tenant.id)
            #expect(Set(stored.values.map(\.transaction)).count == 1)
        }
    }

    @Test("one member writing through two identities in one batch: the second message sees what the first did, as if stored after it")
    func oneMemberTwoIdentities() async throws {
        try await TestApp.run { client, fixtures in
            let fixture = try await fixtures.tenant()
            let tenantID = fixture.tenant.id
            let admin = APICaller(client, fixture)
            let org = try #require(try await admin.post("/v1/organizations", #"{"kind":"subcontractor","name":"Tow"}"#).json["id"].string)
            _ = try await admin.post("/v1/members", #"""
                {"organization_id":"\#(org)","name":"Lucía","identities":[{"kind":"app","external_id":"lucia"},{"kind":"sms","external_id":"+34600000001"}]}
                """#)
            let pipeline = InboundPipeline.standard(database: fixtures.database)
            let first = try await pipeline.ingest(Self.message("m-0", from: "lucia", "hola"), tenantID: tenantID)
            let later = RFC3339.format(Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 3600).rounded(.down)))
            let snoozed = try await admin.post("/v1/conversations/\(first.conversationId.uuidString.lowercased())/snooze", #"{"until":"\#(later)"}"#)
            #expect(snoozed.json["status"].string == "pending")

            let sms = InboundMessageInput(provider: .channel(.sms), sender: "+34600000001", providerMessageID: "s-1", kind: .text, text: "dos")
            let results = try await pipeline.ingest([Self.message("m-1", from: "lucia", "uno"), sms], tenantID: tenantID).map { try $0.get() }
            #expect(results.map(\.conversationId) == [first.conversationId, first.conversationId])
            // The first message woke the conversation; the second found it open (one wake-up, one status change).
            let (woke, changes) = try await fixtures.database.withTenant(tenantID) { connection in
                let woke = try await connection.query(
                    "SELECT count(*)::int FROM conversation_events WHERE conversation_id = \(first.conversationId) AND kind = 'woke'",
                    logger: fixtures.database.logger
                ).first { try $0.decode(Int.self) }
                let changes = try await connection.query("""
                    SELECT count(*)::int FROM (
                        SELECT 1 FROM stream_events WHERE conversation_id = \(first.conversationId) AND kind = 'conversation.status_changed'
                          AND data ->> 'reason' = 'member_wrote'
                        UNION ALL SELECT 1 FROM stream_pending WHERE conversation_id = \(first.conversationId) AND kind = 'conversation.status_changed'
                          AND data ->> 'reason' = 'member_wrote') AS e
                    """, logger: fixtures.database.logger
                ).first { try $0.decode(Int.self) }
                return (woke, changes)
            }
            #expect(woke == 1)
            #expect(changes == 1)
        }
    }

    @Test("a stranger after a channel message in one batch: the post, made first, does not reach the member made after it")
    func strangerAfterChannelPost() async throws {
        try await TestApp.run { client, fixtures in
            let fixture = try await fixtures.tenant()
            let tenantID = fixture.tenant.id
            let admin = APICaller(client, fixture)
            let (sur, norte, _, _) = try await MemberChannelMessagesTests.peers(admin, handle: "coord")
            _ = try await ChannelsTests.member(admin, sur, "Ana", appUser: "ana")
            let unverified = try #require(UUID(uuidString: norte))
            let results = try await InboundPipeline.standard(database: fixtures.database).ingest([
                Self.message("a-1", from: "ana", "#coord hola a todos"), Self.message("s-1", from: "stranger", "¿hola?", unverified: unverified),
            ], tenantID: tenantID).map { try $0.get() }
            // Stored one after the other, the stranger had no member when Ana posted: their
            // conversation is the one their own message opened, with only that message in it.
            let (texts, openedByMessage) = try await fixtures.database.withTenant(tenantID) { connection in
                let texts = try await connection.query(
                    "SELECT body FROM messages WHERE conversation_id = \(results[1].conversationId) ORDER BY id", logger: fixtures.database.logger
                ).collect { try $0.decode(String?.self) }
                let opened = try await connection.query("""
                    SELECT count(*)::int FROM (
                        SELECT 1 FROM stream_events WHERE conversation_id = \(results[1].conversationId) AND kind = 'conversation.opened'
                        UNION ALL SELECT 1 FROM stream_pending WHERE conversation_id = \(results[1].conversationId) AND kind = 'conversation.opened') AS e
                    """, logger: fixtures.database.logger
                ).first { try $0.decode(Int.self) }
                return (texts, opened)
            }
            #expect(texts == ["¿hola?"])
            #expect(openedByMessage == 1)
        }
    }

    @Test("an identical webhook committing first while the batch stores: the batch answers with its copy and stores the others")
    func lostDuplicateRace() async throws {
        try await TestApp.run { client, fixtures in
            let fixture = try await fixtures.tenant()
            let tenantID = fixture.tenant.id
            let admin = APICaller(client, fixture)
            let org = try #require(try await admin.post("/v1/organizations", #"{"kind":"subcontractor","name":"Tow"}"#).json["id"].string)
            for name in ["lucia", "bea"] {
                _ = try await admin.post("/v1/members", #"{"organization_id":"\#(org)","name":"\#(name)","identities":[{"kind":"app","external_id":"\#(name)"}]}"#)
            }
            let pipeline = InboundPipeline.standard(database: fixtures.database)
            let first = try await pipeline.ingest(Self.message("m-0", from: "lucia", "hola"), tenantID: tenantID)
            let database = fixtures.database
            let winner = UUIDv7.make()
            let (inserted, insertedSignal) = AsyncStream<Void>.makeStream()
            let (gate, open) = AsyncStream<Void>.makeStream()
            // The other instance's transaction: it has stored m-1 and not yet committed.
            let racer = Task {
                try await database.withTenant(tenantID) { connection in
                    try await connection.query("""
                        INSERT INTO messages (tenant_id, id, conversation_id, direction, kind, body, provider, provider_message_id)
                        VALUES (\(tenantID), \(winner), \(first.conversationId), 'inbound', 'text', 'uno', 'app', 'm-1')
                        """, logger: database.logger)
                    insertedSignal.yield()
                    for await _ in gate { break }
                }
            }
            for await _ in inserted { break }
            let batch = Task {
                await pipeline.ingest([Self.message("m-1", from: "lucia", "uno"), Self.message("b-1", from: "bea", "hola")], tenantID: tenantID)
            }
            // The batch's insert waits on the racer's row; then the racer commits.
            #expect(try await eventually {
                try await database.withTenant(tenantID) { connection in
                    try await connection.query(
                        """
                        SELECT count(*)::int FROM pg_stat_activity
                        WHERE wait_event_type = 'Lock' AND datname = current_database() AND query LIKE '%WITH input AS%'
                        """,
                        logger: database.logger
                    ).first { try $0.decode(Int.self) } ?? 0
                } > 0
            })
            open.yield()
            try await racer.value
            let results = try await batch.value.map { try $0.get() }
            #expect(results.map(\.messageId).first == winner)
            #expect(results.map(\.duplicate) == [true, false])
            let stored = try await Self.stored(database, tenantID)
            #expect(Set(stored.keys) == ["m-0", "m-1", "b-1"])
            #expect(stored["m-1"]?.transaction != stored["b-1"]?.transaction)
        }
    }

    @Test("a channel post opening conversations while a batch opens some for the same members: no deadlock, both succeed")
    func postAndBatchOpenConversations() async throws {
        try await TestApp.run { client, fixtures in
            let fixture = try await fixtures.tenant()
            let tenantID = fixture.tenant.id
            let admin = APICaller(client, fixture)
            let hq = try await ChannelsTests.organization(admin, "partner", "HQ")
            let crew = try await ChannelsTests.organization(admin, "subcontractor", "Crew", parent: hq)
            let unverified = try #require(UUID(uuidString: try await ChannelsTests.organization(admin, "subcontractor", "Unverified")))
            // Created in this order, so the post's fan-out reaches Zoe before Walt.
            _ = try await ChannelsTests.member(admin, crew, "Zoe", appUser: "zoe")
            _ = try await ChannelsTests.member(admin, crew, "Walt", appUser: "walt")
            let channel = try #require(try await admin.post("/v1/channels", #"{"kind":"hierarchical","name":"Crew","organization_id":"\#(hq)"}"#).json["id"].string)
            let database = fixtures.database
            let logger = database.logger

            // Another transaction is making the stranger's member: the batch waits on it after
            // opening Walt's conversation, and before opening Zoe's.
            let (inserted, insertedSignal) = AsyncStream<Void>.makeStream()
            let (gate, open) = AsyncStream<Void>.makeStream()
            let blocker = Task {
                try await database.withTenant(tenantID) { connection in
                    let member = UUIDv7.make()
                    try await connection.query(
                        "INSERT INTO members (tenant_id, id, organization_id, name) VALUES (\(tenantID), \(member), \(unverified), 'S')", logger: logger)
                    try await connection.query("""
                        INSERT INTO member_identities (tenant_id, id, member_id, kind, external_id)
                        VALUES (\(tenantID), \(UUIDv7.make()), \(member), 'app', 'stranger')
                        """, logger: logger)
                    insertedSignal.yield()
                    for await _ in gate { break }
                    throw CancellationError()
                }
            }
            for await _ in inserted { break }
            /// Whether a statement like `pattern` waits on a lock, or (`orPosted`) the post committed.
            @Sendable func waiting(_ pattern: String, orPosted: Bool = false) async throws -> Bool {
                try await eventually {
                    try await database.withTenant(tenantID) { connection in
                        try await connection.query("""
                            SELECT (SELECT count(*)::int FROM pg_stat_activity
                                    WHERE wait_event_type = 'Lock' AND datname = current_database() AND query LIKE \(pattern))
                                 + (SELECT count(*)::int FROM channel_posts WHERE \(orPosted))
                            """, logger: logger
                        ).first { try $0.decode(Int.self) } ?? 0
                    } > 0
                }
            }
            let pipeline = InboundPipeline.standard(database: database)
            let batch = Task {
                await pipeline.ingest([
                    Self.message("w-1", from: "walt", "hola"), Self.message("s-1", from: "stranger", "hola", unverified: unverified),
                    Self.message("z-1", from: "zoe", "hola"),
                ], tenantID: tenantID)
            }
            #expect(try await waiting("%INSERT INTO member_identities%"))
            let post = Task { try await admin.post("/v1/channels/\(channel)/posts", #"{"text":"Turno de noche"}"#) }
            // The post either waits on Walt's new conversation (then, opening Zoe's, the batch
            // would wait on the post: a deadlock) or has gone through.
            #expect(try await waiting("%INSERT INTO conversations%", orPosted: true))
            open.yield()
            _ = try? await blocker.value

            let posted = try await post.value
            #expect(posted.status == .created, "\(posted.json)")
            let results = await batch.value
            #expect(results.allSatisfy { (try? $0.get())?.duplicate == false }, "\(results)")
        }
    }

    @Test("a message that fails fails alone: the batch's other messages are stored and answered")
    func failureIsolated() async throws {
        try await TestApp.run { client, fixtures in
            let fixture = try await fixtures.tenant()
            let admin = APICaller(client, fixture)
            let org = try #require(try await admin.post("/v1/organizations", #"{"kind":"subcontractor","name":"Tow"}"#).json["id"].string)
            _ = try await admin.post("/v1/members", #"{"organization_id":"\#(org)","name":"Lucía","identities":[{"kind":"app","external_id":"lucia"}]}"#)
            let pipeline = InboundPipeline.standard(database: fixtures.database)
            // The app adapter creates no member for a stranger: that message is refused.
            let results = await pipeline.ingest([
                Self.message("m-1", from: "lucia", "uno"),
                Self.message("x-1", from: "nobody", "hola"),
                Self.message("m-2", from: "lucia", "dos"),
            ], tenantID: fixture.tenant.id)
            #expect((try? results[0].get())?.duplicate == false)
            #expect((try? results[2].get())?.duplicate == false)
            guard case .failure(let error as ValidationError) = results[1] else {
                Issue.record("the stranger's message was not refused: \(results[1])")
                return
            }
            #expect(error.code == "unknown_sender")
            let stored = try await Self.stored(fixtures.database, fixture.tenant.id)
            #expect(Set(stored.keys) == ["m-1", "m-2"])
        }
    }

    @Test("concurrent webhooks of a tenant share transactions while its batch is busy, and each is answered after its commit")
    func webhooksShareCommits() async throws {
        try await TestApp.run { client, fixtures in
            let fixture = try await fixtures.tenant()
            let admin = APICaller(client, fixture)
            let hook = try await ProviderTestSupport.adapter(admin, "whatsapp")
            let senders = 40
            try await withThrowingTaskGroup(of: Void.self) { group in
                for number in 0..<senders {
                    group.addTask {
                        let body = WebhookTests.whatsAppText(id: "wamid.B\(number)", from: "3460000\(1000 + number)", text: "parte \(number)")
                        let response = try await WebhookTests.postSigned(client, hook, body)
                        #expect(response.status == .ok)
                        // Answered only once committed: the message is already there for the desk.
                        let stored = try await Self.stored(fixtures.database, fixture.tenant.id)
                        #expect(stored["wamid.B\(number)"]?.text == "parte \(number)")
                    }
                }
                try await group.waitForAll()
            }
            let stored = try await Self.stored(fixtures.database, fixture.tenant.id)
            #expect(stored.count == senders)
            let transactions = Set(stored.values.map(\.transaction)).count
            #expect(transactions < senders, "\(transactions) transactions for \(senders) webhooks")
            // Operators see the batches: every message counted once, in fewer batches than messages.
            let metrics = try await APICaller(client, token: nil).get("/metrics").text
            #expect(metrics.contains("ingest_batch_messages_sum \(senders).0") || metrics.contains("ingest_batch_messages_sum \(senders)\n"))
            let batches = metrics.split(separator: "\n").first { $0.hasPrefix("ingest_batch_messages_count ") }
            #expect(batches.flatMap { Int($0.split(separator: " ")[1]) }.map { $0 > 0 && $0 < senders } == true, "\(batches ?? "no count")")
        }
    }
}
