import Foundation

/// One job's dispatch figures: how many offers it took and how long until someone accepted.
public struct JobDispatchFigures: Sendable, Equatable {
    public let jobID: UUID
    public let orderNumber: String
    public let status: String
    public let rounds: Int
    public let offersSent: Int
    public let firstOfferAt: Date
    /// When the winning offer was accepted, if one was.
    public let acceptedAt: Date?
    public let acceptedByOrganizationID: UUID?
    public let acceptedByName: String?

    public init(jobID: UUID, orderNumber: String, status: String, rounds: Int, offersSent: Int, firstOfferAt: Date,
                acceptedAt: Date?, acceptedByOrganizationID: UUID?, acceptedByName: String?) {
        (self.jobID, self.orderNumber, self.status, self.rounds, self.offersSent, self.firstOfferAt) =
            (jobID, orderNumber, status, rounds, offersSent, firstOfferAt)
        (self.acceptedAt, self.acceptedByOrganizationID, self.acceptedByName) = (acceptedAt, acceptedByOrganizationID, acceptedByName)
    }

    /// Seconds from the job's first offer to its acceptance.
    public var timeToFirstAcceptance: Double? { acceptedAt.map { $0.timeIntervalSince(firstOfferAt) } }
}

/// The figures of many jobs in one: how many were accepted, how fast, and how many offers each took.
public struct DispatchSummary: Sendable, Equatable {
    public let jobs: Int
    public let jobsAccepted: Int
    public let offersSent: Int
    public let offersPerJobAvg: Double?
    public let timeToFirstAcceptanceAvgSeconds: Double?
    public let timeToFirstAcceptanceP90Seconds: Double?

    /// Sums up `figures`.
    public init(_ figures: [JobDispatchFigures]) {
        let waits = figures.compactMap(\.timeToFirstAcceptance)
        jobs = figures.count
        jobsAccepted = waits.count
        offersSent = figures.reduce(0) { $0 + $1.offersSent }
        offersPerJobAvg = Statistics.mean(figures.map { Double($0.offersSent) })
        timeToFirstAcceptanceAvgSeconds = Statistics.mean(waits)
        timeToFirstAcceptanceP90Seconds = Statistics.percentile(waits, 0.9)
    }
}

/// One subcontractor's answers to the offers it got.
public struct SubcontractorDispatchFigures: Sendable, Equatable {
    public let organizationID: UUID
    public let name: String
    public let offers: Int
    public let accepted: Int
    public let declined: Int
    public let expired: Int
    public let withdrawn: Int
    public let open: Int
    /// Mean seconds from an offer to its answer (accepted or declined).
    public let answerAvgSeconds: Double?

    public init(organizationID: UUID, name: String, offers: Int, accepted: Int, declined: Int, expired: Int, withdrawn: Int, open: Int,
                answerAvgSeconds: Double?) {
        (self.organizationID, self.name, self.offers, self.accepted, self.declined) = (organizationID, name, offers, accepted, declined)
        (self.expired, self.withdrawn, self.open, self.answerAvgSeconds) = (expired, withdrawn, open, answerAvgSeconds)
    }

    /// Accepted out of the offers the subcontractor decided (accepted, declined, or let expire);
    /// offers withdrawn first (another won, the agent withdrew them) and open ones do not count.
    public var acceptanceRate: Double? {
        let decided = accepted + declined + expired
        return decided == 0 ? nil : Double(accepted) / Double(decided)
    }
}

/// The dispatch figures as CSV tables (RFC 4180, CRLF), like the conversation metrics.
public enum DispatchMetricsCSV {
    /// One line per job.
    public static func jobs(_ rows: [JobDispatchFigures]) -> String {
        CSV.line(["job_id", "order_number", "status", "rounds", "offers_sent", "first_offer_at", "accepted_at",
                  "time_to_first_acceptance_seconds", "accepted_by_organization_id", "accepted_by_name"].map(CSV.Cell.text))
            + rows.map { row in
                CSV.line([
                    .text(row.jobID.uuidString.lowercased()), .text(row.orderNumber), .text(row.status), .number(Double(row.rounds)),
                    .number(Double(row.offersSent)), .text(timestamp(row.firstOfferAt)), row.acceptedAt.map { .text(timestamp($0)) } ?? .empty,
                    row.timeToFirstAcceptance.map(CSV.Cell.number) ?? .empty,
                    row.acceptedByOrganizationID.map { .text($0.uuidString.lowercased()) } ?? .empty,
                    row.acceptedByName.map(CSV.Cell.text) ?? .empty,
                ])
            }.joined()
    }

    /// One line per subcontractor.
    public static func subcontractors(_ rows: [SubcontractorDispatchFigures]) -> String {
        CSV.line(["organization_id", "name", "offers", "accepted", "declined", "expired", "withdrawn", "open", "acceptance_rate",
                  "answer_avg_seconds"].map(CSV.Cell.text))
            + rows.map { row in
                CSV.line([
                    .text(row.organizationID.uuidString.lowercased()), .text(row.name), .number(Double(row.offers)),
                    .number(Double(row.accepted)), .number(Double(row.declined)), .number(Double(row.expired)),
                    .number(Double(row.withdrawn)), .number(Double(row.open)), row.acceptanceRate.map(CSV.Cell.number) ?? .empty,
                    row.answerAvgSeconds.map(CSV.Cell.number) ?? .empty,
                ])
            }.joined()
    }

    /// RFC 3339 UTC with milliseconds.
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
