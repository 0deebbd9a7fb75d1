import FieldlineDomain
import Foundation

/// What `fieldline demo` prints: how to sign in to the demo tenant.
public struct DemoCredentials: Codable, Sendable {
    /// The demo tenant's slug.
    public let tenantSlug: String
    /// Admin login email.
    public let adminEmail: String
    /// Admin password (random, made when the tenant was seeded).
    public let adminPassword: String
    /// An API key with every integration scope.
    public let apiKey: String
    /// The demo agent's login email (absent in credentials files saved before agents were printed).
    public let agentEmail: String?
    /// The demo agent's password.
    public let agentPassword: String?
}

extension Provisioning {
    /// The demo tenant's slug.
    public static let demoSlug = "demo"

    /// Seeds a demo tenant with a small supply-chain network (an insurer, an agency, two towing
    /// subcontractors with crews, members and service areas, a store), teams and routing, an open
    /// job both subcontractors can take, an admin, an agent and an API key; with `media` (the
    /// server's configuration, for its media store) also a completed job with a photo proof.
    /// Returns nil when the demo tenant already exists.
    ///
    /// The seeding goes through the repositories, each write in its own transaction, so a
    /// failure partway deletes the tenant again as `--reset` does: a later run seeds it afresh
    /// instead of finding a half-seeded demo. (A photo already stored is left to the orphan
    /// media sweep.)
    public func seedDemo(media: AppConfig? = nil) async throws -> DemoCredentials? {
        if try await tenant(slug: Self.demoSlug) != nil { return nil }
        let tenant = try await createTenant(name: "Demo Roadside Network", slug: Self.demoSlug)
        do {
            return try await seedDemo(into: tenant, media: media)
        } catch {
            do {
                try await deleteTenant(tenant.id)
            } catch let cleanup {
                throw DemoSeedingError(cause: error, cleanup: cleanup)
            }
            throw error
        }
    }

    /// Everything of the demo but its tenant row.
    private func seedDemo(into tenant: Tenant, media: AppConfig?) async throws -> DemoCredentials {
        let id = tenant.id
        func newPassword() -> String { String(APIKeyToken.generate().secret.dropFirst(APIKeyToken.marker.count).prefix(20)) }
        let (adminEmail, adminPassword) = ("admin@demo.fieldline.test", newPassword())
        let (agentEmail, agentPassword) = ("agent@demo.fieldline.test", newPassword())
        _ = try await createUser(tenantID: id, email: adminEmail, name: "Demo Admin", role: .admin, password: adminPassword)
        let dana = try await createUser(tenantID: id, email: agentEmail, name: "Dana Dispatcher", role: .agent, password: agentPassword)
        let key = try await createAPIKey(tenantID: id, name: "Demo ERP", scopes: APIKeyScope.all.map(\.rawValue))

        let organizations = PostgresOrganizationsRepository(database: database)
        func organization(_ kind: OrganizationKind, _ name: String, parent: UUID?, tags: [String] = []) async throws -> UUID {
            try await organizations.create(
                NewOrganization(kind: kind, name: name, parentID: parent, tags: tags, externalRef: nil), tenantID: id
            ).id
        }
        let insurer = try await organization(.company, "Iberia Assist", parent: nil, tags: ["insurer"])
        let agency = try await organization(.partner, "Agencia Norte", parent: insurer, tags: ["agency"])
        let gruas = try await organization(.subcontractor, "Grúas Rápidas", parent: agency, tags: ["towing"])
        let towPro = try await organization(.subcontractor, "TowPro Madrid", parent: agency, tags: ["towing", "24h"])
        _ = try await organization(.customer, "Tienda 24 Chamberí", parent: insurer, tags: ["store"])

        let members = PostgresMembersRepository(database: database)
        func member(_ organizationID: UUID, _ name: String, phone: String) async throws -> UUID {
            try await members.create(
                NewMember(organizationID: organizationID, name: name, phone: phone, email: nil, title: "Driver",
                          identities: [NewIdentity(kind: .whatsapp, externalID: phone)]),
                tenantID: id
            ).id
        }
        let lucia = try await member(gruas, "Lucía Fernández", phone: "+34600100001")
        let marco = try await member(gruas, "Marco Ruiz", phone: "+34600100002")
        let ana = try await member(towPro, "Ana Costa", phone: "+34600200001")

        let crews = PostgresCrewsRepository(database: database)
        let gruasCrew = try await crews.create(organizationID: gruas, name: "Grúas Norte 1", crewCode: "GR-01", memberIDs: [lucia, marco], tenantID: id)
        _ = try await crews.create(organizationID: towPro, name: "TowPro Night", crewCode: "TP-01", memberIDs: [ana], tenantID: id)

        let areas = PostgresServiceAreasRepository(database: database)
        _ = try await areas.create(organizationID: gruas, name: "Madrid north",
                                   shape: try ServiceAreaShape(latitude: 40.47, longitude: -3.69, radiusKilometres: 25), tenantID: id)
        _ = try await areas.create(organizationID: towPro, name: "Madrid centre",
                                   shape: try ServiceAreaShape(latitude: 40.4168, longitude: -3.7038, radiusKilometres: 15), tenantID: id)

        let teams = PostgresTeamsRepository(database: database)
        let dispatch = try await teams.create(name: "Dispatch", tenantID: id).id
        let support = try await teams.create(name: "Support", tenantID: id).id
        _ = try await teams.setMember(team: dispatch, user: dana, role: .member, tenantID: id)
        try await seedDemoRouting(dispatch: dispatch, support: support, agent: dana, tenantID: id)

        // Within both subcontractors' service areas, so `GET /v1/jobs/{id}/candidates` has two answers.
        _ = try await PostgresJobsRepository(database: database).create(
            JobDraft(orderNumber: "PO-1001", title: "Tow a van with a flat battery",
                     description: "Blue Ford Transit, keys with the driver.",
                     location: try GeoPoint(latitude: 40.4378, longitude: -3.6795), address: "Calle de Serrano 90, Madrid",
                     requiredTags: ["towing"], windowStart: nil, windowEnd: nil, status: .open,
                     organizationID: nil, crewID: nil, conversationID: nil),
            createdBy: "user:\(dana.uuidString.lowercased())", viewer: Viewer(tenantID: id, restrictedToUser: nil, userID: dana))
        if let media {
            let intake = MediaIntake(store: media.makeMediaStore(), policy: media.mediaPolicy, inspector: PhotoInspector())
            try await seedDemoProof(intake: intake, subcontractor: gruas, crew: gruasCrew.id, agent: dana, tenantID: id)
        }

        return DemoCredentials(tenantSlug: tenant.slug, adminEmail: adminEmail, adminPassword: adminPassword, apiKey: key.secret,
                               agentEmail: agentEmail, agentPassword: agentPassword)
    }

    /// Deletes the demo tenant and everything it holds, if it exists; `fieldline demo --reset`.
    /// Returns whether there was one.
    @discardableResult
    public func deleteDemo() async throws -> Bool {
        guard let tenant = try await tenant(slug: Self.demoSlug) else { return false }
        try await deleteTenant(tenant.id)
        return true
    }

    /// Routing for the demo: a Spanish welcome menu, keyword rules, and Dana online in Dispatch.
    private func seedDemoRouting(dispatch: UUID, support: UUID, agent: UUID, tenantID: UUID) async throws {
        let routing = PostgresRoutingRepository(database: database)
        _ = try await routing.saveSettings(RoutingSettings(
            enabled: true,
            welcomeMessage: "¡Hola! Responde con un número:\n{menu}",
            fallbackMessage: "No te entendí. {menu}",
            assignmentMessage: "Te atiende {agent_name} ({team_name}).",
            outOfHoursMessage: "{team_name} abre el {next_open}.",
            queueMessage: "Eres el número {position} en la cola; espera aproximada {eta_minutes} min.",
            fallbackTeamID: dispatch), tenantID: tenantID)
        _ = try await routing.createRule(
            RoutingRuleInput(teamID: dispatch, label: "Servicio de grúa", menuNumber: 1,
                             keywords: try RoutingRules.keywords(["grúa", "servicio", "avería"])), tenantID: tenantID)
        _ = try await routing.createRule(
            RoutingRuleInput(teamID: support, label: "Facturas y app", menuNumber: 2,
                             keywords: try RoutingRules.keywords(["factura", "pago", "app"])), tenantID: tenantID)
        _ = try await routing.setAvailability(of: agent, online: true, capacity: nil, tenantID: tenantID)
    }
}

/// The demo's seeding failed, and so did deleting the partial tenant afterwards.
struct DemoSeedingError: Error, CustomStringConvertible {
    let cause: any Error
    let cleanup: any Error

    var description: String {
        "the demo could not be seeded (\(cause.logDescription)), and its partial tenant could not be deleted (\(cleanup.logDescription)): run fieldline demo --reset"
    }
}
