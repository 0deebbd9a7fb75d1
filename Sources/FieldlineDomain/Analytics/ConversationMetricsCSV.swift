import Foundation

/// Conversation metrics as a CSV table, one line per group, with a header line.
public enum ConversationMetricsCSV {
    /// The metric columns, after the grouped dimensions' columns.
    public static let metricColumns = [
        "conversations_opened", "conversations_closed", "first_replies", "first_reply_wait_avg_seconds",
        "first_reply_wait_p90_seconds", "duration_avg_seconds", "duration_p90_seconds", "messages_in", "messages_out",
    ]

    /// The header: `day`, `team_id,team_name`, `agent_id,agent_name` for the grouped dimensions.
    public static func header(_ dimensions: [AnalyticsDimension]) -> [String] {
        dimensions.flatMap { dimension -> [String] in
            switch dimension {
            case .day: ["day"]
            case .team: ["team_id", "team_name"]
            case .agent: ["agent_id", "agent_name"]
            }
        } + metricColumns
    }

    /// The whole table; empty cells for no team/agent and for averages of nothing.
    public static func render(
        _ rows: [ConversationMetricsRow], dimensions: [AnalyticsDimension], teamNames: [UUID: String], agentNames: [UUID: String]
    ) -> String {
        var text = CSV.line(header(dimensions).map(CSV.Cell.text))
        for row in rows {
            var cells: [CSV.Cell] = []
            for dimension in dimensions {
                switch dimension {
                case .day: cells.append(row.key.day.map(CSV.Cell.text) ?? .empty)
                case .team: cells += identity(row.key.teamID, names: teamNames)
                case .agent: cells += identity(row.key.agentID, names: agentNames)
                }
            }
            cells += [
                .number(Double(row.opened)), .number(Double(row.closed)), .number(Double(row.firstReplyWait.count)),
                optional(row.firstReplyWait.average), optional(row.firstReplyWait.p90),
                optional(row.duration.average), optional(row.duration.p90),
                .number(Double(row.messagesIn)), .number(Double(row.messagesOut)),
            ]
            text += CSV.line(cells)
        }
        return text
    }

    private static func identity(_ id: UUID?, names: [UUID: String]) -> [CSV.Cell] {
        guard let id else { return [.empty, .empty] }
        return [.text(id.uuidString.lowercased()), names[id].map(CSV.Cell.text) ?? .empty]
    }

    private static func optional(_ value: Double?) -> CSV.Cell {
        value.map(CSV.Cell.number) ?? .empty
    }
}
