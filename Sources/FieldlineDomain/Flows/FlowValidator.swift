import Foundation

/// Checks a flow when it is saved, so that it cannot break at run time. Every error names the
/// step and field (`steps.ask_photos.next`) and has a stable code: `unknown_step_type`,
/// `unknown_step`, `unreachable_step`, `missing_transition`, `variable_not_set`,
/// `choice_without_target`, `duplicate_step`, `missing_field`, `invalid_field`.
public enum FlowValidator {
    /// All the problems of `definition`, in step order; empty when it may be published.
    public static func problems(_ definition: FlowDefinition) -> [ValidationError] {
        var problems: [ValidationError] = []
        guard definition.format == FlowDefinition.currentFormat else {
            return [ValidationError(field: "format", code: "unsupported_format", message: "format must be \(FlowDefinition.currentFormat)")]
        }
        guard !definition.steps.isEmpty, definition.steps.count <= FlowDefinition.maxSteps else {
            return [ValidationError(field: "steps", message: "a flow has 1 to \(FlowDefinition.maxSteps) steps")]
        }
        var ids = Set<String>()
        for step in definition.steps where !ids.insert(step.id).inserted {
            problems.append(ValidationError(field: "steps.\(step.id)", code: "duplicate_step", message: "two steps have the id '\(step.id)'"))
        }
        if definition.step(definition.start) == nil {
            problems.append(ValidationError(field: "start", code: "unknown_step", message: "start names no step '\(definition.start)'"))
        }
        for step in definition.steps { problems += FlowStepRules.check(step, ids: ids) }
        guard problems.isEmpty else { return problems }
        problems += FlowGraph(definition).reachabilityAndVariables()
        return problems
    }

    /// Throws the first problem of `definition`, if any.
    public static func validate(_ definition: FlowDefinition) throws {
        if let first = problems(definition).first { throw first }
    }
}

/// The steps as a graph: which step leads where, and which variables are surely set on arrival.
struct FlowGraph {
    let definition: FlowDefinition

    init(_ definition: FlowDefinition) { self.definition = definition }

    /// An edge out of a step: where it goes, and whether the step's `save_as` is set on the way
    /// (an answer given, an HTTP result) or not (a timeout, too many wrong answers).
    struct Edge {
        let target: String
        let saves: Bool
    }

    /// The edges out of `step`.
    static func edges(_ step: FlowStep) -> [Edge] {
        var edges: [Edge] = []
        let choices = step.choices ?? []
        if !choices.isEmpty, step.kind == .message || step.kind == .askChoice {
            edges += choices.compactMap { ($0.next ?? step.next).map { Edge(target: $0, saves: true) } }
        } else if let next = step.next {
            edges.append(Edge(target: next, saves: true))
        }
        if let onFail = step.onFail { edges.append(Edge(target: onFail, saves: false)) }
        if let next = step.timeout?.next { edges.append(Edge(target: next, saves: false)) }
        if let onError = step.onError { edges.append(Edge(target: onError, saves: true)) }
        edges += (step.cases ?? []).compactMap { $0.next.map { Edge(target: $0, saves: true) } }
        if let otherwise = step.otherwise { edges.append(Edge(target: otherwise, saves: true)) }
        return edges
    }

    /// The variable a step sets when it is left along a saving edge.
    static func sets(_ step: FlowStep) -> String? {
        step.kind == .set ? step.variable : step.saveAs
    }

    /// Unreachable steps, and variables used where some path reaches them unset: for each step
    /// the set of variables surely set on arrival is the intersection over its incoming paths.
    func reachabilityAndVariables() -> [ValidationError] {
        let byID = Dictionary(definition.steps.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var arriving: [String: Set<String>] = [definition.start: FlowDefinition.contextVariables]
        var work = [definition.start]
        while let id = work.popLast() {
            guard let step = byID[id], let known = arriving[id] else { continue }
            for edge in Self.edges(step) {
                var leaving = known
                if edge.saves, let name = Self.sets(step) { leaving.insert(name) }
                let merged = arriving[edge.target].map { $0.intersection(leaving) } ?? leaving
                if merged != arriving[edge.target] {
                    arriving[edge.target] = merged
                    work.append(edge.target)
                }
            }
        }
        var problems: [ValidationError] = []
        for step in definition.steps {
            guard let known = arriving[step.id] else {
                problems.append(ValidationError(
                    field: "steps.\(step.id)", code: "unreachable_step", message: "step '\(step.id)' cannot be reached from start '\(definition.start)'"))
                continue
            }
            var used = step.texts.flatMap { field, text in FlowTemplate.variables(in: text).map { (field, $0) } }
            if step.kind == .branch, let variable = step.variable { used.append(("variable", variable)) }
            if step.kind == .attachProof {
                if let name = step.photosFrom { used.append(("photos_from", name)) }
                if let name = step.locationFrom { used.append(("location_from", name)) }
            }
            for (field, path) in used where !known.contains(FlowTemplate.root(of: path)) {
                problems.append(ValidationError(
                    field: "steps.\(step.id).\(field)", code: "variable_not_set",
                    message: "step '\(step.id)' uses '\(path)' in \(field), but some path reaches it before '\(FlowTemplate.root(of: path))' is set"))
            }
        }
        return problems
    }
}
