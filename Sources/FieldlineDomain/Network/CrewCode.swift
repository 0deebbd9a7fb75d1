/// The short code that identifies a crew on proofs (e.g. `RX-042`): 2–32 upper-case letters,
/// digits and dashes, unique within a tenant.
public enum CrewCode {
    /// Upper-cases and checks a crew code.
    public static func normalize(_ raw: String, field: String = "crew_code") throws -> String {
        let code = raw.trimmingWhitespace().uppercased()
        let allowed = code.allSatisfy { ($0.isASCII && ("A"..."Z").contains($0)) || $0.isASCIIDigit || $0 == "-" }
        guard (2...32).contains(code.count), allowed, code.first != "-" else {
            throw ValidationError(
                field: field,
                message: "\(field) must be 2–32 letters, digits or dashes, e.g. RX-042")
        }
        return code
    }
}
