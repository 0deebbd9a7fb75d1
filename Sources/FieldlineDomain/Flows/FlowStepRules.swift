import Foundation

/// The fields each kind of step needs, checked one step at a time (the graph is checked after).
enum FlowStepRules {
    /// Longest text a step may say.
    static let maxTextLength = 4096

    /// The problems of `step` on its own; `ids` are the flow's step ids.
    static func check(_ step: FlowStep, ids: Set<String>) -> [ValidationError] {
        var problems: [ValidationError] = []
        let at = "steps.\(step.id)"
        func problem(_ field: String, _ code: String, _ message: String) {
            problems.append(ValidationError(field: "\(at).\(field)", code: code, message: "step '\(step.id)': \(message)"))
        }
        func target(_ field: String, _ value: String?, required: Bool = true) {
            guard let value else {
                if required { problem(field, "missing_transition", "\(field) is required: where the run goes next") }
                return
            }
            if !ids.contains(value) { problem(field, "unknown_step", "\(field) names no step '\(value)'") }
        }
        func variableName(_ field: String, _ value: String?) {
            guard let value else { return problem(field, "missing_field", "\(field) is required") }
            if !isName(value) || FlowDefinition.contextVariables.contains(value) {
                problem(field, "invalid_field", "\(field) must be a variable name (letters, digits, _) that is not one of the run's own (\(FlowDefinition.contextVariables.sorted().joined(separator: ", ")))")
            }
        }
        guard !step.id.isEmpty, step.id.count <= 64, step.id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
            return [ValidationError(field: at, code: "invalid_field", message: "a step id is 1–64 letters, digits, '_' or '-', not '\(step.id)'")]
        }
        guard let kind = step.kind else {
            problem("type", "unknown_step_type", "type '\(step.type)' is none of \(FlowStepKind.allCases.map(\.rawValue).joined(separator: ", "))")
            return problems
        }
        for (field, text) in step.texts where text.count > maxTextLength {
            problem(field, "too_long", "\(field) must be at most \(maxTextLength) characters")
        }
        let choices = step.choices ?? []
        if kind.asks || (kind == .message && !choices.isEmpty) {
            if step.text?.trimmingWhitespace().isEmpty ?? true { problem("text", "missing_field", "text is required: the question asked") }
            if let retries = step.retries, !(0...10).contains(retries) { problem("retries", "out_of_range", "retries must be between 0 and 10") }
            target("on_fail", step.onFail, required: false)
            if let reminders = step.reminders {
                if !(reminders.afterMinutes > 0 && reminders.afterMinutes <= 10_080) { problem("reminders.after_minutes", "out_of_range", "reminders.after_minutes must be more than 0 and at most 10080 (a week)") }
                if !(1...10).contains(reminders.max) { problem("reminders.max", "out_of_range", "reminders.max must be between 1 and 10") }
            }
            if let timeout = step.timeout {
                if !(timeout.afterMinutes > 0 && timeout.afterMinutes <= 43_200) { problem("timeout.after_minutes", "out_of_range", "timeout.after_minutes must be more than 0 and at most 43200 (30 days)") }
                target("timeout.next", timeout.next)
            }
        }
        if kind.asks { variableName("save_as", step.saveAs) }
        switch kind {
        case .message:
            if step.text == nil && step.imageURL == nil && step.location == nil { problem("text", "missing_field", "a message needs text, image_url or location") }
            if let url = step.imageURL, !url.hasPrefix("https://") { problem("image_url", "invalid_field", "image_url must be an https URL") }
            if choices.isEmpty { target("next", step.next) } else { checkChoices(choices, step: step, problem: problem, target: target) }
        case .askChoice:
            if choices.isEmpty { problem("choices", "missing_field", "choices are required: what the member picks from") }
            checkChoices(choices, step: step, problem: problem, target: target)
        case .askNumber:
            if let min = step.min, let max = step.max, min > max { problem("min", "invalid_field", "min must not be more than max") }
            target("next", step.next)
        case .askPhoto:
            let min = step.minCount ?? 1
            let max = step.maxCount ?? min
            if !(1...20).contains(min) { problem("min_count", "out_of_range", "min_count must be between 1 and 20") }
            if !(min...Swift.max(min, 20)).contains(max) || max > 20 { problem("max_count", "out_of_range", "max_count must be between min_count and 20") }
            target("next", step.next)
        case .askText, .askDate, .askLocation:
            target("next", step.next)
        case .branch:
            if let variable = step.variable, !isPath(variable) { problem("variable", "invalid_field", "variable must name a variable, like photos or order.body.status") }
            if step.variable == nil { problem("variable", "missing_field", "variable is required: what the branch looks at") }
            if (step.cases ?? []).isEmpty { problem("cases", "missing_field", "cases are required") }
            for (index, item) in (step.cases ?? []).enumerated() {
                if item.equals == nil && item.greaterThan == nil && item.lessThan == nil && item.exists == nil {
                    problem("cases[\(index)]", "missing_field", "cases[\(index)] needs a condition: equals, greater_than, less_than or exists")
                }
                target("cases[\(index)].next", item.next)
            }
            target("otherwise", step.otherwise)
        case .set:
            variableName("variable", step.variable)
            if step.value == nil { problem("value", "missing_field", "value is required") }
            target("next", step.next)
        case .attachProof:
            if step.photosFrom == nil && step.locationFrom == nil { problem("photos_from", "missing_field", "photos_from or location_from is required: what the proof holds") }
            target("next", step.next)
        case .http:
            checkHTTP(step, problem: problem)
            variableName("save_as", step.saveAs)
            target("next", step.next)
            target("on_error", step.onError)
        case .handoff:
            if let team = step.teamID, UUID(uuidString: team) == nil { problem("team_id", "invalid_field", "team_id must be a team's id") }
        case .end:
            break
        }
        return problems
    }

    private static func checkChoices(
        _ choices: [FlowChoice], step: FlowStep, problem: (String, String, String) -> Void, target: (String, String?, Bool) -> Void
    ) {
        if choices.count > ReplyContent.maxChoices { problem("choices", "too_many", "at most \(ReplyContent.maxChoices) choices are allowed") }
        var seen = Set<String>()
        for (index, choice) in choices.enumerated() {
            let field = "choices[\(index)]"
            if choice.id.isEmpty || choice.id.utf8.count > 48 || !seen.insert(choice.id).inserted {
                problem("\(field).id", "invalid_field", "\(field).id must be 1–48 bytes and unique in the step")
            }
            if choice.title.trimmingWhitespace().isEmpty || choice.title.count > ReplyContent.maxChoiceTitleLength {
                problem("\(field).title", "invalid_field", "\(field).title must be 1–\(ReplyContent.maxChoiceTitleLength) characters")
            }
            if choice.next == nil && step.next == nil {
                problem("\(field).next", "choice_without_target", "choice '\(choice.id)' leads nowhere: give it a next, or the step a next")
            } else {
                target("\(field).next", choice.next, false)
            }
        }
        if step.next != nil { target("next", step.next, false) }
    }

    private static func checkHTTP(_ step: FlowStep, problem: (String, String, String) -> Void) {
        let methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
        if let method = step.method, !methods.contains(method) { problem("method", "invalid_field", "method must be one of \(methods.joined(separator: ", "))") }
        if let timeout = step.timeoutSeconds, !(timeout > 0 && timeout <= 30) { problem("timeout_seconds", "out_of_range", "timeout_seconds must be more than 0 and at most 30") }
        guard let url = step.url else { return problem("url", "missing_field", "url is required") }
        // The host must be written out: only what follows it may come from variables.
        let literal = url.range(of: "{{").map { String(url[..<$0.lowerBound]) } ?? url
        guard let parts = URLComponents(string: literal),
              ["https", "http"].contains(parts.scheme?.lowercased() ?? ""), !(parts.host ?? "").isEmpty
        else { return problem("url", "invalid_field", "url must be an http(s) URL whose host is written out (variables may follow it)") }
        if parts.user != nil || parts.password != nil { problem("url", "invalid_field", "url must not carry credentials: use headers") }
    }

    /// A variable name: a letter or `_`, then letters, digits and `_`, at most 64.
    static func isName(_ value: String) -> Bool {
        guard let first = value.first, first.isASCII, first.isLetter || first == "_", value.count <= 64 else { return false }
        return value.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }

    /// A dotted path of names (`order.body.status`).
    static func isPath(_ value: String) -> Bool {
        value.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isName(String($0)) }
    }
}
