import FieldlineDomain
import Foundation
import Hummingbird
import PostgresNIO

/// `GET /v1/analytics/dispatch/jobs` as JSON: each job first offered in the period, and their sum.
struct DispatchJobsAnalytics: ResponseEncodable, Sendable {
    let from: Date
    let to: Date
    let summary: Summary
    let data: [Row]

    /// The jobs' figures in one.
    struct Summary: Encodable, Sendable {
        let jobs: Int
        let jobsAccepted: Int
        let offersSent: Int
        let offersPerJobAvg: Double?
        let timeToFirstAcceptanceAvgSeconds: Double?
        let timeToFirstAcceptanceP90Seconds: Double?
    }

    /// One job.
    struct Row: Encodable, Sendable {
        let jobId: UUID
        let orderNumber: String
        let status: String
        let rounds: Int
        let offersSent: Int
        let firstOfferAt: Date
        let acceptedAt: Date?
        let timeToFirstAcceptanceSeconds: Double?
        let acceptedByOrganizationId: UUID?
        let acceptedByName: String?
    }

    init(from: Date, to: Date, figures: [JobDispatchFigures]) {
        (self.from, self.to) = (from, to)
        let sum = DispatchSummary(figures)
        summary = Summary(
            jobs: sum.jobs, jobsAccepted: sum.jobsAccepted, offersSent: sum.offersSent, offersPerJobAvg: sum.offersPerJobAvg,
            timeToFirstAcceptanceAvgSeconds: sum.timeToFirstAcceptanceAvgSeconds, timeToFirstAcceptanceP90Seconds: sum.timeToFirstAcceptanceP90Seconds)
        data = figures.map {
            Row(jobId: $0.jobID, orderNumber: $0.orderNumber, status: $0.status, rounds: $0.rounds, offersSent: $0.offersSent,
                firstOfferAt: $0.firstOfferAt, acceptedAt: $0.acceptedAt, timeToFirstAcceptanceSeconds: $0.timeToFirstAcceptance,
                acceptedByOrganizationId: $0.acceptedByOrganizationID, acceptedByName: $0.acceptedByName)
        }
    }
}

/// `GET /v1/analytics/dispatch/subcontractors` as JSON: each subcontractor offered a job in the period.
struct DispatchSubcontractorsAnalytics: ResponseEncodable, Sendable {
    let from: Date
    let to: Date
    let data: [Row]

    /// One subcontractor.
    struct Row: Encodable, Sendable {
        let organizationId: UUID
        let name: String
        let offers: Int
        let accepted: Int
        let declined: Int
        let expired: Int
        let withdrawn: Int
        let open: Int
        let acceptanceRate: Double?
        let answerAvgSeconds: Double?
    }

    init(from: Date, to: Date, figures: [SubcontractorDispatchFigures]) {
        (self.from, self.to) = (from, to)
        data = figures.map {
            Row(organizationId: $0.organizationID, name: $0.name, offers: $0.offers, accepted: $0.accepted, declined: $0.declined,
                expired: $0.expired, withdrawn: $0.withdrawn, open: $0.open, acceptanceRate: $0.acceptanceRate,
                answerAvgSeconds: $0.answerAvgSeconds)
        }
    }
}
