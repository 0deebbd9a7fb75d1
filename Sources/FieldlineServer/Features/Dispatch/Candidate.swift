import FieldlineDomain
import Foundation
import Hummingbird
import PostgresNIO

/// A subcontractor that could take a job: one of its service areas covers the job's site.
struct Candidate: ResponseEncodable, Sendable {
    /// The subcontractor.
    let organizationId: UUID
    let name: String
    /// Its nearest service area covering the site.
    let serviceAreaId: UUID
    let serviceAreaName: String
    /// From that area's centre to the job's site, in metres (great-circle).
    let distanceM: Double

    static let columns = "o.id, o.name, d.id, d.name, d.distance"

    init(row: PostgresRow) throws {
        let (organizationID, name, areaID, areaName, distance) = try row.decode((UUID, String, UUID, String, Double).self)
        organizationId = organizationID
        self.name = name
        serviceAreaId = areaID
        serviceAreaName = areaName
        distanceM = (distance * 10).rounded() / 10
    }
}

/// Which candidates to look for.
struct CandidateFilter: Sendable {
    /// Only subcontractors in this organization's subtree.
    var within: UUID?
    /// Most candidates returned, nearest first (1–200).
    var limit: Int = 50
}

/// Dispatch's storage: who could take a job (and, as dispatch grows, offers and their answers).
protocol DispatchRepository: Sendable {
    /// The subcontractors whose service area covers the job's site and whose tags hold all of the
    /// job's `required_tags`, nearest first; within the viewer's organization subtree when the
    /// viewer has one. Nil when the job is unknown or not visible; 409 when it has no site.
    func candidates(for jobID: UUID, filter: CandidateFilter, viewer: Viewer) async throws -> [Candidate]?
    /// Offers an open job to its candidates (or those the request names) in the request's
    /// allocation mode (the tenant's default otherwise): the first step's offers are sent to
    /// their members; the job becomes `offered`. Nil when the job is unknown
    /// or not visible; 409 when it is not open, has no site or nobody to offer it to.
    func broadcast(_ jobID: UUID, _ request: BroadcastRequest, createdBy: String, viewer: Viewer) async throws -> Broadcast?
    /// The job's offers, oldest first; nil when the job is unknown or not visible.
    func offers(of jobID: UUID, viewer: Viewer) async throws -> [Offer]?
    /// Withdraws every open offer of an offered job (its round ends; the job is open again), or
    /// one open offer (its round moves on as after a decline). Nil when unknown or not visible;
    /// 409 when there is nothing open to withdraw.
    func withdraw(_ target: WithdrawTarget, by actor: String, viewer: Viewer) async throws -> DispatchOutcome?
    /// Ends the job's round, withdrawing its open offers, and starts a new one as a broadcast
    /// does. Nil when unknown or not visible; 409 unless the job is open or offered.
    func rebroadcast(_ jobID: UUID, _ request: BroadcastRequest, createdBy: String, viewer: Viewer) async throws -> Broadcast?
    /// Assigns an open or offered job to a subcontractor (and crew) by hand, withdrawing its
    /// open offers. Nil when unknown or not visible; 409 when the job is taken or closed.
    func assign(_ jobID: UUID, to organizationID: UUID, crew crewID: UUID?, by actor: String, viewer: Viewer) async throws -> DispatchOutcome?
}
