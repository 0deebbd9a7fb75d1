import AsyncHTTPClient
import FieldlineDomain
import Foundation
import NIOCore
import PostgresNIO

/// `flow.http`: a flow run's `http` step (docs/flows.md#the-format). The call is made after the
/// run's transaction, outside any transaction, through the `OutboundGuard` that webhooks use (no
/// private, loopback, link-local or metadata address after DNS resolution unless the tenant is in
/// development mode; no redirects; the step's timeout, at most 30 s). Whatever happens (a refusal,
/// a timeout, a 500) is the call's result: `{status, body}` saved, 2xx to `next`, anything else
/// to `on_error`. The call is never retried, so an ERP is never called twice for one step.
struct FlowHTTPJob: OutboxJob {
    static let topic = "flow.http"

    struct Payload: Codable, Sendable, Equatable {
        let runID: UUID
        let stepID: String
        /// The run's visit of the step; a result for another visit changes nothing.
        let visit: Int

        enum CodingKeys: String, CodingKey { case runID = "run_id", stepID = "step_id", visit }
    }

    let database: Database

    func perform(_ payload: Payload, _ item: OutboxItem) async throws {
        let prepared = try await database.withTenantTransaction(item.tenantID) { transaction -> (FlowStep, [String: FlowValue], Bool)? in
            guard let run = try await FlowRunRecord.read(payload.runID, transaction), run.state.status == .waiting,
                  run.state.visit == payload.visit, run.state.stepID == payload.stepID,
                  let step = try await run.definition(transaction).step(payload.stepID), step.kind == .http
            else { return nil }
            let development = try await transaction.query(
                "SELECT development_mode FROM tenants WHERE id = \(transaction.tenantID)"
            ).first { try $0.decode(Bool.self) } ?? false
            return (step, run.state.variables, development)
        }
        var outcome: (status: Int?, body: FlowValue?) = (nil, nil)
        if let (step, variables, development) = prepared {
            outcome = await Self.call(step, variables: variables, allowPrivate: development, logger: database.logger)
        }
        let result = outcome
        try await database.withTenantTransaction(item.tenantID) { transaction in
            try await OutboxStore.complete(item.id, on: transaction.connection, logger: transaction.logger)
            guard prepared != nil, var run = try await FlowRunRecord.lockWithConversation(payload.runID, transaction) else { return }
            transaction.stream(try await FlowRuntime(database: database).handle(
                .httpResult(visit: payload.visit, status: result.status, body: result.body), &run, transaction))
        }
    }

    /// Makes the step's request; a refusal or failure is a nil status with the reason as the body.
    static func call(_ step: FlowStep, variables: [String: FlowValue], allowPrivate: Bool, logger: Logger) async -> (status: Int?, body: FlowValue?) {
        let url = FlowTemplate.render(step.url ?? "", variables)
        let seconds = min(max(step.timeoutSeconds ?? 10, 1), 30)
        do {
            let guardian = OutboundGuard(allowPrivate: allowPrivate)
            let destination = try await guardian.check(url)
            var request = HTTPClientRequest(url: url)
            request.method = .init(rawValue: (step.method ?? "GET").uppercased())
            request.headers.add(name: "user-agent", value: "Fieldline-Flows/1")
            for (name, value) in (step.headers ?? [:]).sorted(by: { $0.key < $1.key }) {
                request.headers.add(name: name, value: FlowTemplate.render(value, variables))
            }
            if let body = step.body {
                if !(step.headers ?? [:]).keys.contains(where: { $0.lowercased() == "content-type" }) {
                    request.headers.add(name: "content-type", value: "application/json")
                }
                request.body = .bytes(ByteBuffer(string: FlowTemplate.render(body, variables)))
            }
            let (response, bytes) = try await guardian.execute(request, to: destination, timeout: .milliseconds(Int64(seconds * 1000)))
            let data = Data(buffer: bytes)
            let body = (try? JSONDecoder().decode(FlowValue.self, from: data)) ?? .string(String(decoding: data.prefix(4096), as: UTF8.self))
            return (Int(response.status.code), body)
        } catch let refusal as OutboundGuard.Refusal {
            logger.notice("flow http step refused: \(refusal.description)")
            return (nil, .string("refused: \(refusal.description)"))
        } catch {
            let text = (error as? HTTPClientError) == .deadlineExceeded ? "no answer within \(Int(seconds)) s" : String(describing: error)
            return (nil, .string(text))
        }
    }
}
