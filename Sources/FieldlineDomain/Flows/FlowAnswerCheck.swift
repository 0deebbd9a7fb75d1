import Foundation

/// Whether an answer fits the step that asked: what is saved, or what to say instead.
public enum FlowAnswerCheck {
    /// The choice id (and words) that end a photo collection.
    public static let doneChoiceID = "done"
    static let doneWords: Set<String> = ["done", "ready", "finished", "listo", "fin", "ok"]

    /// What an answer does to an ask step.
    public enum Result: Sendable, Equatable {
        /// Saved as `value`; the run goes to `next`.
        case accepted(FlowValue, next: String)
        /// A photo of several: saved as `value` so far, acknowledged with `reply`.
        case collected(FlowValue, reply: ReplyContent)
        /// Not what was asked: `expected` says what is.
        case wrong(expected: String)
    }

    /// Checks `answer` against `step`; `collected` is what a photo step holds so far.
    public static func check(_ answer: FlowAnswer, for step: FlowStep, collected: FlowValue?, today: CalendarDay?) -> Result {
        let next = step.next ?? ""
        let text = answer.text?.trimmingWhitespace() ?? ""
        switch step.kind {
        case .askText:
            guard answer.kind == .text || answer.kind == .choice, !text.isEmpty else { return .wrong(expected: "Please answer with a text message.") }
            return .accepted(.string(text), next: next)
        case .askChoice, .message:
            let choices = step.choices ?? []
            if let picked = pick(answer, among: choices) { return .accepted(.string(picked.id), next: picked.next ?? next) }
            let titles = choices.enumerated().map { "\($0.offset + 1)) \($0.element.title)" }.joined(separator: ", ")
            return .wrong(expected: "Please pick one of the options: reply with a number from 1 to \(choices.count) (\(titles)).")
        case .askNumber:
            let expected = numberExpectation(step)
            guard answer.kind == .text, let number = number(text) else { return .wrong(expected: expected) }
            if let min = step.min, number < min { return .wrong(expected: expected) }
            if let max = step.max, number > max { return .wrong(expected: expected) }
            return .accepted(.number(number), next: next)
        case .askDate:
            guard answer.kind == .text, let day = date(text, today: today) else {
                return .wrong(expected: "Please answer with a date, like 2026-12-31 or 31/12/2026.")
            }
            return .accepted(.string(day), next: next)
        case .askLocation:
            guard answer.kind == .location, let latitude = answer.latitude, let longitude = answer.longitude else {
                return .wrong(expected: "Please share your location: in your app, use the attach button and pick Location.")
            }
            return .accepted(.location(latitude: latitude, longitude: longitude), next: next)
        case .askPhoto:
            return photo(answer, text: text, step: step, collected: collected?.strings ?? [])
        default:
            return .wrong(expected: "")
        }
    }

    private static func photo(_ answer: FlowAnswer, text: String, step: FlowStep, collected: [String]) -> Result {
        let min = step.minCount ?? 1
        let max = step.maxCount ?? min
        let range = min == max ? "\(min)" : "\(min) to \(max)"
        let next = step.next ?? ""
        if answer.kind == .image, let id = answer.messageID {
            let photos = collected.contains(id) ? collected : collected + [id]
            let value = FlowValue.array(photos.map(FlowValue.string))
            if photos.count >= max { return .accepted(value, next: next) }
            let received = photos.count == 1 ? "1 photo" : "\(photos.count) photos"
            if photos.count < min {
                return .collected(value, reply: ReplyContent(text: "Received \(received); please send at least \(min - photos.count) more."))
            }
            return .collected(value, reply: ReplyContent(
                text: "Received \(received). Send more (up to \(max)) or reply Done.",
                choices: [ReplyChoice(id: doneChoiceID, title: "Done")]))
        }
        let says = answer.choiceID == doneChoiceID || doneWords.contains(text.lowercased())
        if says, collected.count >= min {
            return .accepted(.array(collected.map(FlowValue.string)), next: next)
        }
        if says {
            return .wrong(expected: "Please send at least \(min - collected.count) more photo(s) first (\(range) in all).")
        }
        return .wrong(expected: "Please send a photo (\(range) in all)\(collected.count >= min ? ", or reply Done" : "").")
    }

    private static func pick(_ answer: FlowAnswer, among choices: [FlowChoice]) -> FlowChoice? {
        if let id = answer.choiceID, let choice = choices.first(where: { $0.id == id }) { return choice }
        guard answer.kind == .text || answer.kind == .choice, let raw = answer.text?.trimmingWhitespace(), !raw.isEmpty else { return nil }
        var digits = Substring(raw)
        if digits.hasPrefix("#") { digits = digits.dropFirst() }
        if let last = digits.last, last == ")" || last == "." { digits = digits.dropLast() }
        if !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(digits) {
            return choices.indices.contains(number - 1) ? choices[number - 1] : nil
        }
        return choices.first { $0.title.lowercased() == raw.lowercased() }
    }

    private static func numberExpectation(_ step: FlowStep) -> String {
        switch (step.min, step.max) {
        case let (min?, max?): "Please answer with a number from \(FlowValue.number(min).text) to \(FlowValue.number(max).text)."
        case let (min?, nil): "Please answer with a number of at least \(FlowValue.number(min).text)."
        case let (nil, max?): "Please answer with a number of at most \(FlowValue.number(max).text)."
        case (nil, nil): "Please answer with a number."
        }
    }

    /// A number as people type it: `3`, `3.5`, `3,5`.
    static func number(_ text: String) -> Double? {
        let normalized = text.filter { $0.isNumber || $0 == "." || $0 == "," || $0 == "-" }.count == text.count
            ? text.replacingOccurrences(of: ",", with: ".") : ""
        guard let value = Double(normalized), value.isFinite else { return nil }
        return value
    }

    /// `YYYY-MM-DD`, `DD/MM/YYYY`, "today", "tomorrow" as `YYYY-MM-DD`.
    static func date(_ text: String, today: CalendarDay?) -> String? {
        let lowered = text.lowercased()
        if let today, lowered == "today" || lowered == "hoy" { return today.text }
        if let today, lowered == "tomorrow" || lowered == "mañana" {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
            let start = today.start(in: calendar.timeZone)
            guard let next = calendar.date(byAdding: .day, value: 1, to: start) else { return nil }
            let parts = calendar.dateComponents([.year, .month, .day], from: next)
            return CalendarDay(parsing: String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0))?.text
        }
        if let day = CalendarDay(parsing: text) { return day.text }
        let parts = text.split(separator: "/")
        guard parts.count == 3, let day = Int(parts[0]), let month = Int(parts[1]), let year = Int(parts[2]), year >= 1000 else { return nil }
        return CalendarDay(parsing: String(format: "%04d-%02d-%02d", year, month, day))?.text
    }
}

extension CalendarDay {
    /// `YYYY-MM-DD`.
    public var text: String { String(format: "%04d-%02d-%02d", year, month, day) }
}
