/// The role a company plays in a tenant's network.
public enum OrganizationKind: String, Sendable, Codable, CaseIterable {
    /// The tenant's own company (or one of its business units).
    case company
    /// A partner company (e.g. an agency or distributor).
    case partner
    /// A company that sends crews to do the work.
    case subcontractor
    /// A customer site, e.g. a convenience store.
    case customer
}

/// How a member can be reached: one messaging provider account per identity.
public enum IdentityKind: String, Sendable, Codable, CaseIterable {
    /// WhatsApp, by phone number (E.164).
    case whatsapp
    /// Telegram, by chat id.
    case telegram
    /// SMS/MMS, by phone number (E.164).
    case sms
    /// Facebook Messenger, by page-scoped id (PSID).
    case messenger
    /// A first-party app or web chat user id.
    case app
    /// The sandbox phone (`GET /sandbox`): the member's id, or any name the phone plays.
    case sandbox

    /// Checks and normalises an external id for this kind (phone numbers become E.164).
    public func normalize(externalID raw: String, field: String = "external_id") throws -> String {
        switch self {
        case .whatsapp, .sms:
            return try PhoneNumber(parsing: raw, field: field).e164
        case .telegram:
            let id = raw.trimmingWhitespace()
            guard let number = Int64(id), number != 0 else {
                throw ValidationError(field: field, message: "a telegram \(field) is a numeric chat id")
            }
            return String(number)
        case .messenger, .app, .sandbox:
            return try Validate.name(raw, field: field)
        }
    }
}

/// Helpers for the enums that arrive as strings from outside.
extension RawRepresentable where RawValue == String, Self: CaseIterable {
    /// Parses a raw value, or throws a `ValidationError` listing the allowed values.
    public static func parse(_ raw: String, field: String) throws -> Self {
        guard let value = Self(rawValue: raw) else {
            let allowed = allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError(field: field, message: "\(field) must be one of: \(allowed)")
        }
        return value
    }
}
