import FieldlineDomain
import Foundation
import Testing

@Suite struct RoutingRulesTests {
    let billing = RoutingRule(id: UUID(), teamID: UUID(), label: "Facturación", menuNumber: 2, keywords: ["factura", "pago pendiente"])
    let support = RoutingRule(id: UUID(), teamID: UUID(), label: "Soporte técnico", menuNumber: 1, keywords: ["camion", "averia"])
    let urgent = RoutingRule(id: UUID(), teamID: UUID(), label: "Urgent", menuNumber: nil, keywords: ["urgente"])
    var rules: [RoutingRule] { [billing, support, urgent] }

    @Test func foldsCaseAndAccents() {
        #expect(RoutingText.fold("  CAMIÓN Instalação Ñandú ") == "camion instalacao nandu")
    }

    @Test func menuNumbersMatchExactly() {
        #expect(RoutingRules.match("2", rules: rules) == billing)
        #expect(RoutingRules.match(" 1. ", rules: rules) == support)
        #expect(RoutingRules.match("1)", rules: rules) == support)
        #expect(RoutingRules.match("7", rules: rules) == nil)
        #expect(RoutingText.menuNumber("12 camiones") == nil)
    }

    @Test func keywordsIgnoreCaseAndAccentsAndMatchWholeWords() {
        #expect(RoutingRules.match("El CAMIÓN tiene una avería", rules: rules) == support)
        #expect(RoutingRules.match("¡URGENTE!", rules: rules) == urgent)
        #expect(RoutingRules.match("tengo un pago   pendiente", rules: rules) == billing)
        // "facturas" is another word; "pago" alone is not the phrase.
        #expect(RoutingRules.match("facturas y pago", rules: rules) == nil)
        #expect(RoutingRules.match("hola", rules: rules) == nil)
    }

    @Test func firstRuleInOrderWinsForKeywords() {
        #expect(RoutingRules.match("factura del camion", rules: rules) == billing)
        #expect(RoutingRules.match("factura del camion", rules: [support, billing]) == support)
    }

    @Test func menuListsNumberedRulesInOrder() {
        #expect(RoutingRules.menu(rules) == "1. Soporte técnico\n2. Facturación")
    }

    @Test func keywordsAreValidatedAndFolded() throws {
        #expect(try RoutingRules.keywords(["Camión", "camion", "Pago  Pendiente!"]) == ["camion", "pago pendiente"])
        #expect(throws: ValidationError.self) { try RoutingRules.keywords(["!!!"]) }
        #expect(throws: ValidationError.self) { try RoutingRules.keywords(Array(repeating: "a", count: 51)) }
    }

    @Test func templatesReplaceKnownPlaceholdersOnly() {
        #expect(PlaceholderText.render("Hola {name}, eres el {position}º {oops}", ["name": "Ana", "position": "3"]) == "Hola Ana, eres el 3º {oops}")
        #expect(PlaceholderText.render("left { open", ["open": "x"]) == "left { open")
        #expect(PlaceholderText.render("{a}{b}", ["a": "1", "b": "2"]) == "12")
    }
}

@Suite struct BusinessHoursTests {
    let bogota = TimeZone(identifier: "America/Bogota")!  // UTC-5, no DST
    // Tuesday 2026-11-24 13:50 in Bogotá.
    let tuesdayAfternoon = Date(timeIntervalSince1970: 1_795_546_200)

    func hours(_ intervals: [(String, String, String)]) throws -> BusinessHours {
        try BusinessHours(validating: intervals.map { BusinessHours.Interval(day: $0.0, open: $0.1, close: $0.2) })
    }

    @Test func openInsideAnIntervalInTheTeamsTimeZone() throws {
        let weekdays = try hours([("tuesday", "08:00", "14:00")])
        #expect(weekdays.isOpen(at: tuesdayAfternoon, in: bogota))
        #expect(!weekdays.isOpen(at: tuesdayAfternoon.addingTimeInterval(11 * 60), in: bogota))  // 14:01
        #expect(!weekdays.isOpen(at: tuesdayAfternoon, in: TimeZone(identifier: "UTC")!))      // 18:50 UTC
    }

    @Test func nextOpeningSkipsToTheNextWorkingDay() throws {
        let schedule = try hours([("tuesday", "08:00", "12:00"), ("thursday", "09:30", "17:00")])
        let next = try #require(schedule.nextOpening(after: tuesdayAfternoon, in: bogota))
        // Thursday 2026-11-26 09:30 in Bogotá = 14:30 UTC.
        #expect(next == Date(timeIntervalSince1970: 1_795_703_400))
        #expect(schedule.nextOpening(after: next, in: bogota) == next)
        #expect(try hours([]).nextOpening(after: tuesdayAfternoon, in: bogota) == nil)
    }

    @Test func refusesBadIntervalsAndZones() {
        #expect(throws: ValidationError.self) { try hours([("tuesday", "18:00", "08:00")]) }
        #expect(throws: ValidationError.self) { try hours([("funday", "08:00", "09:00")]) }
        #expect(throws: ValidationError.self) { try hours([("monday", "8:00", "09:00")]) }
        #expect(throws: ValidationError.self) { try hours([("monday", "08:00", "24:30")]) }
        #expect(throws: ValidationError.self) { try BusinessHours.timeZone("Mars/Olympus") }
        #expect((try? hours([("monday", "22:00", "24:00")])) != nil)
    }
}

@Suite struct AssignmentPlannerTests {
    let ids = (0..<4).map { UUID(uuidString: "00000000-0000-0000-0000-00000000000\($0)")! }
    let conversations = (0..<5).map { _ in UUID() }

    @Test func roundRobinContinuesAfterTheLastAgentAndSkipsOfflineAndFull() {
        let agents = [
            AgentLoad(userID: ids[0], openConversations: 0, capacity: 5, online: true),
            AgentLoad(userID: ids[1], openConversations: 0, capacity: 5, online: false),
            AgentLoad(userID: ids[2], openConversations: 5, capacity: 5, online: true),
            AgentLoad(userID: ids[3], openConversations: 0, capacity: 1, online: true),
        ]
        let plan = AssignmentPlanner.plan(waiting: Array(conversations.prefix(3)), agents: agents, strategy: .roundRobin, lastAssigned: ids[0])
        #expect(plan.map(\.userID) == [ids[3], ids[0], ids[0]])
        #expect(plan.map(\.conversationID) == Array(conversations.prefix(3)))
    }

    @Test func leastBusyPrefersTheLightestLoad() {
        let agents = [
            AgentLoad(userID: ids[0], openConversations: 3, capacity: 10, online: true),
            AgentLoad(userID: ids[1], openConversations: 1, capacity: 10, online: true),
            AgentLoad(userID: ids[2], openConversations: 2, capacity: 10, online: true),
        ]
        let plan = AssignmentPlanner.plan(waiting: Array(conversations.prefix(4)), agents: agents, strategy: .leastBusy, lastAssigned: nil)
        // Ties go in turn: after ids[1] takes one, ids[2] (also at 2) is ahead of it.
        #expect(plan.map(\.userID) == [ids[1], ids[2], ids[1], ids[0]])
    }

    @Test func nobodyFreeLeavesTheRestWaiting() {
        let agents = [AgentLoad(userID: ids[0], openConversations: 1, capacity: 2, online: true)]
        let plan = AssignmentPlanner.plan(waiting: conversations, agents: agents, strategy: .roundRobin, lastAssigned: nil)
        #expect(plan == [.init(conversationID: conversations[0], userID: ids[0])])
        #expect(AssignmentPlanner.plan(waiting: conversations, agents: [], strategy: .leastBusy, lastAssigned: nil).isEmpty)
    }

    @Test func waitEstimates() {
        #expect(QueueEstimate.seconds(position: 3, assignmentsLastHour: 12, onlineAgents: 2, expectedHandleSeconds: 600) == 900)
        #expect(QueueEstimate.seconds(position: 2, assignmentsLastHour: 4, onlineAgents: 2, expectedHandleSeconds: 600) == 600)
        #expect(QueueEstimate.seconds(position: 1, assignmentsLastHour: 0, onlineAgents: 0, expectedHandleSeconds: 600) == 600)
        #expect(QueueEstimate.minutes(61) == 2)
        #expect(QueueEstimate.minutes(0) == 1)
    }
}
