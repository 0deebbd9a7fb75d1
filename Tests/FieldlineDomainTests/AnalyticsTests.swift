import FieldlineDomain
import Foundation
import Testing

@Suite("Statistics")
struct StatisticsTests {
    @Test("p90 interpolates between closest ranks like percentile_cont")
    func percentile() {
        // Ranks 0...9; p90 sits at rank 0.9 × 9 = 8.1: 90 + 0.1 × (100 − 90) = 91.
        let values: [Double] = [100, 10, 20, 30, 40, 50, 60, 70, 80, 90]
        #expect(Statistics.percentile(values, 0.9) == 91)
        #expect(Statistics.percentile(values, 0.5) == 55)
        #expect(Statistics.percentile(values, 0) == 10)
        #expect(Statistics.percentile(values, 1) == 100)
        #expect(Statistics.percentile([60, 240], 0.9) == 222)
        #expect(Statistics.percentile([42], 0.9) == 42)
        #expect(Statistics.percentile([], 0.9) == nil)
        #expect(Statistics.percentile([1, 2], 1.5) == nil)
    }

    @Test("mean of nothing is nil")
    func mean() {
        #expect(Statistics.mean([60, 240, 30]) == 110)
        #expect(Statistics.mean([]) == nil)
    }
}

@Suite("CSV")
struct CSVTests {
    @Test("fields with separators, quotes or line breaks are quoted, quotes doubled")
    func quoting() {
        #expect(CSV.field("plain") == "plain")
        #expect(CSV.field("Grúas, Sur") == "\"Grúas, Sur\"")
        #expect(CSV.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSV.field("two\nlines") == "\"two\nlines\"")
        #expect(CSV.field("") == "")
    }

    @Test("text a spreadsheet would run as a formula is defused; numbers are not")
    func formulas() {
        #expect(CSV.field("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(CSV.field("+1") == "'+1")
        #expect(CSV.field("-team") == "'-team")
        #expect(CSV.field("@SUM(A1)") == "'@SUM(A1)")
        #expect(CSV.line([.number(-5), .text("-5"), .empty, .number(12.5)]) == "-5,'-5,,12.5\r\n")
    }

    @Test("numbers have no exponent and at most three decimals")
    func numbers() {
        #expect(CSV.number(90) == "90")
        #expect(CSV.number(12.5) == "12.5")
        #expect(CSV.number(1.0 / 3.0) == "0.333")
        #expect(CSV.number(1_234_567) == "1234567")
        #expect(CSV.number(0.0004) == "0")
    }
}

@Suite("Conversation metrics")
struct ConversationMetricsTests {
    let teamA = UUID(uuidString: "00000000-0000-0000-0000-00000000000a")!
    let agent1 = UUID(uuidString: "00000000-0000-0000-0000-000000000001")!

    @Test("group_by parses lists in a fixed order, tenant means one row, unknown names are refused")
    func parseDimensions() throws {
        #expect(try AnalyticsDimension.parseList("agent,day") == [.day, .agent])
        #expect(try AnalyticsDimension.parseList("team, team") == [.team])
        #expect(try AnalyticsDimension.parseList("tenant") == [])
        #expect(throws: ValidationError.self) { try AnalyticsDimension.parseList("week") }
        #expect(throws: ValidationError.self) { try AnalyticsDimension.parseList("day,") }
    }

    @Test("facts add up per group; dimensions not grouped are merged")
    func builder() {
        var byDay = ConversationMetricsBuilder(groupBy: [.day])
        var byTeam = ConversationMetricsBuilder(groupBy: [.team])
        let mondayA = AnalyticsKey(day: "2026-03-02", teamID: teamA, agentID: agent1)
        let mondayNone = AnalyticsKey(day: "2026-03-02", teamID: nil, agentID: nil)
        let tuesdayA = AnalyticsKey(day: "2026-03-03", teamID: teamA, agentID: nil)
        let facts: [(ConversationFact, AnalyticsKey)] = [
            (.opened, mondayNone), (.opened, mondayA), (.firstHumanReply(wait: 60), mondayA),
            (.firstHumanReply(wait: 240), tuesdayA), (.closed(duration: 600), tuesdayA), (.closed(duration: nil), tuesdayA),
            (.messages(inbound: 3, outbound: 1), mondayA), (.messages(inbound: 1, outbound: 0), mondayNone),
        ]
        for (fact, key) in facts {
            byDay.add(fact, at: key)
            byTeam.add(fact, at: key)
        }
        let days = byDay.rows()
        #expect(days.map(\.key.day) == ["2026-03-02", "2026-03-03"])
        #expect(days.allSatisfy { $0.key.teamID == nil && $0.key.agentID == nil })
        #expect(days[0].opened == 2 && days[0].messagesIn == 4 && days[0].messagesOut == 1)
        #expect(days[0].firstReplyWait == DurationSummary([60]))
        #expect(days[1].closed == 2)
        #expect(days[1].duration.count == 1 && days[1].duration.average == 600)

        let teams = byTeam.rows()
        #expect(teams.map(\.key.teamID) == [nil, teamA])
        #expect(teams[1].firstReplyWait.count == 2)
        #expect(teams[1].firstReplyWait.average == 150)
        #expect(teams[1].firstReplyWait.p90 == 222)
        #expect(teams[0].opened == 1 && teams[0].firstReplyWait.average == nil)
    }

    @Test("the CSV table has a header for the grouped dimensions and empty cells for nothing")
    func csv() {
        var builder = ConversationMetricsBuilder(groupBy: [.day, .team])
        builder.add(.opened, at: AnalyticsKey(day: "2026-03-02", teamID: nil, agentID: agent1))
        builder.add(.firstHumanReply(wait: 90), at: AnalyticsKey(day: "2026-03-02", teamID: teamA, agentID: nil))
        let text = ConversationMetricsCSV.render(builder.rows(), dimensions: [.day, .team], teamNames: [teamA: "Grúas, Sur"], agentNames: [:])
        #expect(text == """
            day,team_id,team_name,conversations_opened,conversations_closed,first_replies,first_reply_wait_avg_seconds,\
            first_reply_wait_p90_seconds,duration_avg_seconds,duration_p90_seconds,messages_in,messages_out\r
            2026-03-02,,,1,0,0,,,,,0,0\r
            2026-03-02,00000000-0000-0000-0000-00000000000a,"Grúas, Sur",0,0,1,90,90,,,0,0\r

            """)
    }
}

@Suite("Calendar days")
struct CalendarDayTests {
    @Test("parses real dates only")
    func parse() {
        #expect(CalendarDay(parsing: "2026-01-31") != nil)
        #expect(CalendarDay(parsing: "2024-02-29") != nil)
        #expect(CalendarDay(parsing: "2026-02-29") == nil)
        #expect(CalendarDay(parsing: "2026-13-01") == nil)
        #expect(CalendarDay(parsing: "2026-1-31") == nil)
        #expect(CalendarDay(parsing: "2026-01-31T00:00:00Z") == nil)
        #expect(CalendarDay(parsing: "２０２６-01-31") == nil)
    }

    @Test("a day starts at local midnight and ends at the next, across a DST change")
    func bounds() throws {
        let madrid = try #require(TimeZone(identifier: "Europe/Madrid"))
        // 2026-03-29: clocks go from 02:00 to 03:00 in Madrid, so that day lasts 23 hours.
        let day = try #require(CalendarDay(parsing: "2026-03-29"))
        #expect(day.start(in: madrid) == Date(timeIntervalSince1970: 1_774_738_800))  // 2026-03-28T23:00:00Z
        #expect(day.end(in: madrid).timeIntervalSince(day.start(in: madrid)) == 23 * 3600)
        #expect(day.start(in: .gmt) == Date(timeIntervalSince1970: 1_774_742_400))
    }
}
