import Foundation

/// A member's answer to an offer.
public enum OfferAnswer: String, Sendable, CaseIterable {
    case accept
    case decline
}

/// The Accept / Decline choices of an offer message, and reading them back.
///
/// A choice id carries the offer (`offer:<offer id>:accept`), so a button press names the offer it
/// answers on every provider. The titles carry the order number ("Accept PO-1001"), so a member
/// holding several open offers on a numbered-text provider (SMS) can answer any of them by
/// writing the title, not only the last one by its number.
public enum OfferChoice {
    /// Longest order number shown in a title (a title holds at most 100 characters).
    static let maxOrderNumberInTitle = 90

    /// The choice id of `answer` to the offer `offerID`.
    public static func id(_ offerID: UUID, _ answer: OfferAnswer) -> String {
        "offer:\(offerID.uuidString.lowercased()):\(answer.rawValue)"
    }

    /// The title of `answer` for a job with `orderNumber`.
    public static func title(_ answer: OfferAnswer, orderNumber: String) -> String {
        let order = String(orderNumber.prefix(maxOrderNumberInTitle))
        return switch answer {
        case .accept: "Accept \(order)"
        case .decline: "Decline \(order)"
        }
    }

    /// Both choices of an offer, Accept first.
    public static func choices(_ offerID: UUID, orderNumber: String) -> [ReplyChoice] {
        OfferAnswer.allCases.map { ReplyChoice(id: id(offerID, $0), title: title($0, orderNumber: orderNumber)) }
    }

    /// The offer and answer a choice id names, or nil when it names none.
    public static func parse(_ choiceID: String) -> (offerID: UUID, answer: OfferAnswer)? {
        let parts = choiceID.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "offer", let offerID = UUID(uuidString: String(parts[1])),
              let answer = OfferAnswer(rawValue: String(parts[2]))
        else { return nil }
        return (offerID, answer)
    }

    /// Whether a free text could be a title (starts with "accept " or "decline "), so the offers
    /// need looking up at all.
    public static func mayBeTitle(_ text: String) -> Bool {
        let folded = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        return folded.count <= 110 && (folded.hasPrefix("accept ") || folded.hasPrefix("decline "))
    }

    /// The offer a free text answers by title among `offers` (id and order number), ignoring case
    /// and surrounding spaces; nil when it matches none.
    public static func match(_ text: String, among offers: [(id: UUID, orderNumber: String)]) -> (offerID: UUID, answer: OfferAnswer)? {
        let folded = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        for offer in offers {
            for answer in OfferAnswer.allCases where title(answer, orderNumber: offer.orderNumber).lowercased() == folded {
                return (offer.id, answer)
            }
        }
        return nil
    }
}

/// The texts members read about offers.
public enum OfferText {
    /// The offer itself: the order, what, where and when; the choices follow it.
    public static func offer(orderNumber: String, title: String, address: String?, window: String?) -> String {
        var lines = ["New job \(orderNumber): \(title)"]
        if let address { lines.append(address) }
        if let window { lines.append(window) }
        lines.append("Do you take it?")
        return lines.joined(separator: "\n")
    }

    /// To the recipients of every other offer once one is accepted.
    public static func takenByAnother(orderNumber: String) -> String {
        "\(orderNumber) was taken by another provider. Thank you."
    }

    /// To a member whose Accept came after the job was taken.
    public static func alreadyTaken(orderNumber: String) -> String {
        "Sorry, \(orderNumber) is already taken."
    }

    /// To a member whose Accept came for an offer that is closed otherwise (declined, expired, withdrawn).
    public static func noLongerOpen(orderNumber: String) -> String {
        "\(orderNumber) is no longer open to you."
    }

    /// To the recipients of open offers when the job stops being offered otherwise (by hand).
    public static func withdrawn(orderNumber: String) -> String {
        "\(orderNumber) is no longer available. Thank you."
    }

    /// To the recipients of an offer when it expires unanswered.
    public static func expired(orderNumber: String) -> String {
        "The offer for \(orderNumber) has expired. Thank you for your time."
    }

    /// To a member whose Accept came for an offer that had already expired.
    public static func lateAccept(orderNumber: String) -> String {
        "Sorry, the offer for \(orderNumber) has expired; it can no longer be accepted."
    }

    /// To the member whose Accept won.
    public static func accepted(orderNumber: String) -> String {
        "\(orderNumber) is yours. Thank you!"
    }

    /// To the member whose Accept won, when a flow waits for the crew to say the job is done
    /// (the message then carries the `JobDoneChoice`).
    public static func acceptedWithDone(orderNumber: String) -> String {
        "\(orderNumber) is yours. Thank you! When the work is finished, press Job done to send the proof."
    }
}
