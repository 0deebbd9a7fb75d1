/// The pure heart of a flow run: given the run's state and an event (its start, the member's
/// answer, a timer, an HTTP result), what happens next. No I/O: the server saves the new state
/// and performs the actions in one transaction.
public struct FlowEngine: Sendable {
    /// The most steps one event may pass through without waiting (a loop of `set` and `branch`).
    public static let maxStepsPerEvent = 100
    /// Wrong answers re-prompted when a step says nothing.
    public static let defaultRetries = 2

    public let definition: FlowDefinition
    /// The member's day, for "today" and "tomorrow".
    public let today: CalendarDay?

    /// An engine for runs of `definition`.
    public init(definition: FlowDefinition, today: CalendarDay? = nil) {
        self.definition = definition
        self.today = today
    }

    /// The run's next state and actions after `event`. A run that is over, or an event meant
    /// for an earlier wait (a stale timer), changes nothing.
    public func handle(_ event: FlowEvent, _ state: FlowRunState) -> FlowOutcome {
        var run = Run(engine: self, state: state)
        switch event {
        case .start:
            run.advance(to: definition.start)
        case .answer(let answer):
            guard state.status == .waiting, let step = current(state), step.kind != .http else { break }
            run.answer(answer, to: step)
        case .reminder(let visit):
            guard state.status == .waiting, visit == state.visit, let step = current(state), let reminders = step.reminders,
                  state.remindersSent < reminders.max else { break }
            run.remind(step, reminders)
        case .timeout(let visit):
            guard state.status == .waiting, visit == state.visit, let step = current(state), let next = step.timeout?.next else { break }
            run.advance(to: next)
        case .httpResult(let visit, let status, let body):
            guard state.status == .waiting, visit == state.visit, let step = current(state), step.kind == .http, let name = step.saveAs else { break }
            run.state.variables[name] = .object(["status": .number(Double(status ?? 0)), "body": body ?? .null])
            let succeeded = status.map { (200..<300).contains($0) } ?? false
            run.advance(to: (succeeded ? step.next : step.onError) ?? "")
        case .stop:
            guard !state.status.isOver else { break }
            run.finish(.stopped)
        case .resume:
            guard state.status == .paused, let step = current(state) else { break }
            // Photos already collected stay collected: asking again must not lose them.
            let collected = step.kind == .askPhoto ? step.saveAs.flatMap { state.variables[$0] } : nil
            run.advance(to: step.id)
            if let collected, let name = step.saveAs { run.state.variables[name] = collected }
        case .restart(let stepID):
            guard let step = definition.step(stepID), step.kind == .askPhoto else { break }
            if state.status == .paused {
                // An agent has the conversation: the run waits there, quiet, until resumed.
                run.enter(step)
                run.state.status = .paused
                if let name = step.saveAs { run.state.variables[name] = .array([]) }
            } else {
                run.advance(to: step.id)
            }
        }
        return FlowOutcome(state: run.state, actions: run.actions)
    }

    private func current(_ state: FlowRunState) -> FlowStep? {
        state.stepID.flatMap(definition.step)
    }
}

/// One event's work on a run: the state as it changes and the actions collected.
struct Run {
    let engine: FlowEngine
    var state: FlowRunState
    var actions: [FlowAction] = []

    var definition: FlowDefinition { engine.definition }

    /// Passes through steps that need no answer from `id` until one waits or the run ends.
    mutating func advance(to id: String) {
        var id = id
        for _ in 0..<FlowEngine.maxStepsPerEvent {
            guard let step = definition.step(id), let kind = step.kind else { return finish(.failed) }
            switch kind {
            case .message where (step.choices ?? []).isEmpty:
                send(step, step.text.map(render), choices: [], imageURL: step.imageURL, location: step.location)
                guard let next = step.next else { return finish(.completed) }
                id = next
            case .message, .askText, .askChoice, .askNumber, .askDate, .askPhoto, .askLocation:
                return wait(on: step)
            case .branch:
                let value = step.variable.flatMap { FlowTemplate.lookUp($0, in: state.variables) }
                guard let next = step.cases?.first(where: { $0.holds(for: value) })?.next ?? step.otherwise else { return finish(.failed) }
                id = next
            case .set:
                if let name = step.variable { state.variables[name] = .string(render(step.value ?? "")) }
                guard let next = step.next else { return finish(.failed) }
                id = next
            case .attachProof:
                let photos = step.photosFrom.flatMap { state.variables[$0] }?.strings ?? []
                let location = step.locationFrom.flatMap { state.variables[$0] }
                actions.append(.attachProof(stepID: step.id, photos: photos, location: location))
                guard let next = step.next else { return finish(.failed) }
                id = next
            case .http:
                enter(step)
                return actions.append(.callHTTP(stepID: step.id, visit: state.visit))
            case .handoff:
                if let text = step.text { send(step, render(text)) }
                return handOff(teamID: step.teamID)
            case .end:
                if let text = step.text { send(step, render(text)) }
                return finish(.completed)
            }
        }
        finish(.failed)
    }

    /// Waits on an ask step (or a message with choices): its prompt, its timers.
    mutating func wait(on step: FlowStep) {
        enter(step)
        if step.kind == .askPhoto, let name = step.saveAs { state.variables[name] = .array([]) }
        prompt(step)
        if let reminders = step.reminders { actions.append(.schedule(FlowTimer(kind: .reminder, visit: state.visit, minutes: reminders.afterMinutes))) }
        if let timeout = step.timeout { actions.append(.schedule(FlowTimer(kind: .timeout, visit: state.visit, minutes: timeout.afterMinutes))) }
    }

    mutating func enter(_ step: FlowStep) {
        state.stepID = step.id
        state.status = .waiting
        state.visit += 1
        state.wrongAnswers = 0
        state.remindersSent = 0
    }

    /// The step's question, with its choices.
    mutating func prompt(_ step: FlowStep, prefix: String? = nil) {
        let text = [prefix, step.text.map(render)].compactMap { $0 }.joined(separator: "\n")
        send(step, text, choices: (step.choices ?? []).map { ReplyChoice(id: $0.id, title: $0.title) }, imageURL: step.imageURL)
    }

    mutating func remind(_ step: FlowStep, _ reminders: FlowReminders) {
        state.remindersSent += 1
        if let text = reminders.text {
            send(step, render(text), choices: (step.choices ?? []).map { ReplyChoice(id: $0.id, title: $0.title) })
        } else {
            prompt(step)
        }
        if state.remindersSent < reminders.max {
            actions.append(.schedule(FlowTimer(kind: .reminder, visit: state.visit, minutes: reminders.afterMinutes)))
        }
    }

    /// The member's answer to `step`: saved and on to the next step, collected (a photo of
    /// several), or re-prompted saying what is expected, until the retries run out.
    mutating func answer(_ answer: FlowAnswer, to step: FlowStep) {
        switch FlowAnswerCheck.check(answer, for: step, collected: step.saveAs.flatMap { state.variables[$0] }, today: engine.today) {
        case .accepted(let value, let next):
            if let name = step.saveAs { state.variables[name] = value }
            advance(to: next)
        case .collected(let value, let acknowledgement):
            if let name = step.saveAs { state.variables[name] = value }
            send(step, acknowledgement.text, choices: acknowledgement.choices)
        case .wrong(let expected):
            state.wrongAnswers += 1
            guard state.wrongAnswers > (step.retries ?? FlowEngine.defaultRetries) else { return prompt(step, prefix: expected) }
            if let onFail = step.onFail { return advance(to: onFail) }
            send(step, "Let me pass you to a person who can help.")
            handOff(teamID: nil)
        }
    }

    mutating func handOff(teamID: String?) {
        actions.append(.handoff(teamID: teamID ?? definition.handoffTeamID))
        finish(.handedOff)
    }

    mutating func finish(_ status: FlowRunStatus) {
        state.status = status
        state.stepID = nil
    }

    mutating func send(_ step: FlowStep, _ text: String?, choices: [ReplyChoice] = [], imageURL: String? = nil, location: ReplyLocation? = nil) {
        let body = text.flatMap { $0.trimmingWhitespace().isEmpty ? nil : $0 }
        guard body != nil || imageURL != nil || location != nil else { return }
        state.sends += 1
        let content = ReplyContent(text: body, choices: body == nil ? [] : choices, imageURL: imageURL, location: location)
        actions.append(.send(FlowOutgoing(stepID: step.id, sequence: state.sends, content: content)))
    }

    func render(_ text: String) -> String { FlowTemplate.render(text, state.variables) }
}
