import FieldlineDomain
import Foundation
import Hummingbird

/// `/v1/routing`: the tenant's routing settings and rules (routing:manage).
struct RoutingController: Sendable {
    let repository: any RoutingRepository

    struct SettingsRequest: RequestBody {
        let enabled: Bool
        let welcomeMessage: String?
        let fallbackMessage: String?
        let assignmentMessage: String?
        let outOfHoursMessage: String?
        let queueMessage: String?
        let fallbackTeamId: UUID?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case enabled, welcomeMessage = "welcome_message", fallbackMessage = "fallback_message"
            case assignmentMessage = "assignment_message", outOfHoursMessage = "out_of_hours_message"
            case queueMessage = "queue_message", fallbackTeamId = "fallback_team_id"
        }
    }

    struct RuleRequest: RequestBody {
        let teamId: UUID
        let label: String
        let menuNumber: Int?
        let keywords: [String]?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case teamId = "team_id", label, menuNumber = "menu_number", keywords
        }
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("routing", use: getSettings)
        group.put("routing", use: putSettings)
        group.get("routing/rules", use: listRules)
        group.post("routing/rules", use: createRule)
        group.put("routing/rules/{id}", use: replaceRule)
        group.delete("routing/rules/{id}", use: deleteRule)
    }

    @Sendable func getSettings(_ request: Request, context: AppRequestContext) async throws -> RoutingSettings {
        try await repository.settings(tenantID: try context.require(.routingManage).tenantID)
    }

    /// Replaces the settings: a message left out or `null` is not sent.
    @Sendable func putSettings(_ request: Request, context: AppRequestContext) async throws -> RoutingSettings {
        let principal = try context.require(.routingManage)
        let body = try await JSONBody.decode(SettingsRequest.self, from: request, context: context)
        func text(_ value: String?, _ field: String) throws -> String? {
            try value.map { try MessageLimits.body($0, field: field) }
        }
        let settings = RoutingSettings(
            enabled: body.enabled,
            welcomeMessage: try text(body.welcomeMessage, "welcome_message"),
            fallbackMessage: try text(body.fallbackMessage, "fallback_message"),
            assignmentMessage: try text(body.assignmentMessage, "assignment_message"),
            outOfHoursMessage: try text(body.outOfHoursMessage, "out_of_hours_message"),
            queueMessage: try text(body.queueMessage, "queue_message"),
            fallbackTeamID: body.fallbackTeamId)
        return try await repository.saveSettings(settings, tenantID: principal.tenantID)
    }

    @Sendable func listRules(_ request: Request, context: AppRequestContext) async throws -> ItemList<RoutingRuleResource> {
        ItemList(data: try await repository.rules(tenantID: try context.require(.routingManage).tenantID))
    }

    @Sendable func createRule(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<RoutingRuleResource> {
        let principal = try context.require(.routingManage)
        let rule = try await ruleInput(request, context: context)
        let created = try await repository.createRule(rule, tenantID: principal.tenantID)
        return .created(created, location: "/v1/routing/rules/\(created.id.uuidString.lowercased())")
    }

    @Sendable func replaceRule(_ request: Request, context: AppRequestContext) async throws -> RoutingRuleResource {
        let principal = try context.require(.routingManage)
        let id = try context.parameters.uuid("id", "routing rule")
        let rule = try await ruleInput(request, context: context)
        guard let replaced = try await repository.replaceRule(id, with: rule, tenantID: principal.tenantID) else {
            throw APIError.notFound("routing rule")
        }
        return replaced
    }

    @Sendable func deleteRule(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let principal = try context.require(.routingManage)
        let id = try context.parameters.uuid("id", "routing rule")
        guard try await repository.deleteRule(id, tenantID: principal.tenantID) else { throw APIError.notFound("routing rule") }
        return .noContent
    }

    private func ruleInput(_ request: Request, context: AppRequestContext) async throws -> RoutingRuleInput {
        let body = try await JSONBody.decode(RuleRequest.self, from: request, context: context)
        let keywords = try RoutingRules.keywords(body.keywords ?? [])
        if let number = body.menuNumber, !(1...99).contains(number) {
            throw ValidationError(field: "menu_number", code: "out_of_range", message: "menu_number must be 1 to 99")
        }
        guard body.menuNumber != nil || !keywords.isEmpty else {
            throw ValidationError(field: "keywords", code: "missing_field", message: "a rule needs a menu_number, keywords, or both")
        }
        return RoutingRuleInput(
            teamID: body.teamId, label: try Validate.name(body.label, field: "label", maxLength: 100),
            menuNumber: body.menuNumber, keywords: keywords)
    }
}
