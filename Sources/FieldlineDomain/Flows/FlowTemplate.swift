import Foundation

/// Flow texts with `{{variables}}` ("Job {{order_number}} done?"); a variable may be a dotted
/// path into an object (`{{order.body.status}}`).
public enum FlowTemplate {
    /// The variable paths a text uses, in order, as written between the braces (trimmed).
    public static func variables(in text: String) -> [String] {
        var names: [String] = []
        _ = scan(text) { names.append($0); return "" }
        return names
    }

    /// The text with each `{{path}}` replaced by its value's text; a path with no value reads as
    /// empty (validation refuses a flow that could use a variable before it is set).
    public static func render(_ text: String, _ variables: [String: FlowValue]) -> String {
        scan(text) { lookUp($0, in: variables)?.text ?? "" }
    }

    /// The value at `path` (`name` or `name.field.field`).
    public static func lookUp(_ path: String, in variables: [String: FlowValue]) -> FlowValue? {
        let parts = path.split(separator: ".", omittingEmptySubsequences: false)
        guard let first = parts.first, let root = variables[String(first)] else { return nil }
        return root.value(at: parts.dropFirst())
    }

    /// The variable a path starts from.
    public static func root(of path: String) -> String {
        String(path.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
    }

    private static func scan(_ text: String, _ replace: (String) -> String) -> String {
        var result = ""
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            result += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                result += rest[open.lowerBound...]
                return result
            }
            result += replace(String(rest[open.upperBound..<close.lowerBound]).trimmingWhitespace())
            rest = rest[close.upperBound...]
        }
        return result + rest
    }
}
