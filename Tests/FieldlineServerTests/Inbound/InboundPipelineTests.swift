import FieldlineDomain
import Foundation
import HummingbirdTesting
import NIOConcurrencyHelpers
import PostgresNIO
import Testing
@testable import FieldlineServer

@Suite("Inbound pipeline: ordered steps in one transaction")
struct InboundPipelineTests {
    /// Records which step saw which message, in order.
    final class Journal: Sendable {
        let entries = NIOLockedValueBox<[String]>([])
        func note(_ entry: String) { entries.withLockedValue { $0.append(entry) } }
        var all: [String] { entries.withLockedValue { $0 } }
    }

    /// A step that notes the messages it runs on (by provider message id) and does nothing else.
    struct Probe: InboundStep {
        let name: String
        let scope: InboundStepScope
        let journal: Journal

        func run(_ wave: inout InboundWave, in transaction: TenantTransaction) async throws {
            journal.note("\(name):" + wave.items.filter(\.isActive).map(\.message.providerMessageID).joined(separator: ","))
        }
    }

    /// Pretends the message addressed `#crew` speaks in a channel (no database involved).
    struct AddressByText: InboundStep {
        var scope: InboundStepScope { .batch }
        func run(_ wave: inout InboundWave, in transaction: TenantTransaction) async throws {
            await wave.forEachActive { item in
                if item.message.text == "#crew hola" { item.channelAddress = ChannelAddress(channelID: UUID(), memberID: UUID(), text: "hola") }
            }
        }
    }

    /// Answers every message without storing it, so a pipeline of probes completes.
    struct Answer: InboundStep {
        var scope: InboundStepScope { .wave }
        func run(_ wave: inout InboundWave, in transaction: TenantTransaction) async throws {
            await wave.forEachActive { item in
                item.result = IngestResult(messageId: item.messageID, conversationId: UUID(), duplicate: false)
            }
        }
    }

    static func message(_ id: String, from sender: String, _ text: String = "hola") -> InboundMessageInput {
        InboundMessageInput(provider: .app, sender: sender, providerMessageID: id, kind: .text, text: text)
    }

    @Test("steps run in the order assembled: per wave on all its messages, message by message when one speaks in a channel")
    func order() async throws {
        try await TestApp.run { _, fixtures in
            let tenant = try await fixtures.tenant().tenant
            let journal = Journal()
            let pipeline = InboundPipeline(database: fixtures.database, steps: [
                AddressByText(),
                Probe(name: "look", scope: .wave, journal: journal),
                Probe(name: "a", scope: .message, journal: journal),
                Probe(name: "b", scope: .message, journal: journal),
                Probe(name: "store", scope: .wave, journal: journal),
                Answer(),
            ])
            // Ana writes twice: her second message waits for the second wave.
            let plain = try await pipeline.ingest([Self.message("1", from: "ana"), Self.message("2", from: "bea"), Self.message("3", from: "ana")], tenantID: tenant.id)
                .map { try $0.get() }
            #expect(plain.count == 3)
            #expect(journal.all == ["look:1,2", "a:1,2", "b:1,2", "store:1,2", "look:3", "a:3", "b:3", "store:3"])

            journal.entries.withLockedValue { $0 = [] }
            _ = try await pipeline.ingest([Self.message("4", from: "ana"), Self.message("5", from: "bea", "#crew hola")], tenantID: tenant.id)
                .map { try $0.get() }
            #expect(journal.all == ["look:4,5", "a:4", "b:4", "a:5", "b:5", "store:4,5"])
        }
    }

    /// Counts, inside the batch's transaction, the messages stored so far in it.
    struct CountStored: InboundStep {
        let journal: Journal
        var scope: InboundStepScope { .wave }
        func run(_ wave: inout InboundWave, in transaction: TenantTransaction) async throws {
            let ids = wave.items.filter(\.stored).map(\.messageID)
            let count = try await transaction.query(
                "SELECT count(*)::int FROM messages WHERE tenant_id = \(transaction.tenantID) AND id = ANY(\(ids))"
            ).first { try $0.decode(Int.self) } ?? 0
            journal.note("stored \(count) of \(wave.items.count)")
        }
    }

    /// Fails the transaction after everything else ran.
    struct Fail: InboundStep {
        var scope: InboundStepScope { .wave }
        func run(_ wave: inout InboundWave, in transaction: TenantTransaction) async throws {
            throw ValidationError(field: "sender", code: "refused", message: "refused by the test step")
        }
    }

    @Test("a step added to the standard pipeline runs inside the batch's transaction, and its failure undoes the batch")
    func addedStep() async throws {
        try await TestApp.run { client, fixtures in
            let fixture = try await fixtures.tenant()
            let admin = APICaller(client, fixture)
            let org = try #require(try await admin.post("/v1/organizations", #"{"kind":"subcontractor","name":"Tow"}"#).json["id"].string)
            for name in ["ana", "bea"] {
                _ = try await admin.post("/v1/members", #"{"organization_id":"\#(org)","name":"\#(name)","identities":[{"kind":"app","external_id":"\#(name)"}]}"#)
            }
            let journal = Journal()
            let standard = InboundPipeline.standard(database: fixtures.database)
            let counting = InboundPipeline(database: fixtures.database, steps: standard.steps + [CountStored(journal: journal)])
            let results = try await counting.ingest([Self.message("1", from: "ana"), Self.message("2", from: "bea")], tenantID: fixture.tenant.id)
                .map { try $0.get() }
            #expect(results.map(\.duplicate) == [false, false])
            #expect(journal.all == ["stored 2 of 2"])

            // A step that fails rolls back everything the steps before it wrote; each message is
            // then tried alone, and fails alone.
            let failing = InboundPipeline(database: fixtures.database, steps: standard.steps + [Fail()])
            let failed = await failing.ingest([Self.message("3", from: "ana"), Self.message("4", from: "bea")], tenantID: fixture.tenant.id)
            #expect(failed.allSatisfy { if case .failure = $0 { true } else { false } })
            let texts = try await admin.get("/v1/conversations/\(results[0].conversationId.uuidString.lowercased())/messages").json["data"].array
            #expect(texts.count == 1)
        }
    }
}
