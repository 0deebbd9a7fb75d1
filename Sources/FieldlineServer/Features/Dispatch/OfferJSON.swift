import Foundation
import Hummingbird

/// The offers' answers written with `JSONText`: a broadcast answers with up to 10,000 offers,
/// and `GET /v1/jobs/{id}/offers` lists as many (see `JSONText` for why). Each writes the same
/// bytes as its `Encodable` form through the API's encoder (`OfferJSONTests`).
extension Offer {
    /// Writes the offer as an object, its keys in sorted order.
    func write(to json: inout JSONText) {
        json.object { json in
            json.member("answered_at", ifPresent: answeredAt) { $0.date($1) }
            json.member("answered_by_member_id", ifPresent: answeredByMemberId) { $0.uuid($1) }
            json.key("created_at"); json.date(createdAt)
            json.key("created_by"); json.string(createdBy)
            json.key("delivery_pending"); json.bool(deliveryPending)
            json.member("distance_m", ifPresent: distanceM) { $0.number($1) }
            json.member("expires_at", ifPresent: expiresAt) { $0.date($1) }
            json.key("id"); json.uuid(id)
            json.key("job_id"); json.uuid(jobId)
            json.key("organization_id"); json.uuid(organizationId)
            json.key("organization_name"); json.string(organizationName)
            json.key("recipients")
            json.array(recipients) { json, recipient in
                json.object { json in
                    json.key("conversation_id"); json.uuid(recipient.conversationId)
                    json.member("delivery_error", ifPresent: recipient.deliveryError) { $0.string($1) }
                    json.key("delivery_status"); json.string(recipient.deliveryStatus)
                    json.key("member_id"); json.uuid(recipient.memberId)
                    json.key("message_id"); json.uuid(recipient.messageId)
                }
            }
            json.key("round"); json.number(round)
            json.key("status"); json.string(status)
            json.key("updated_at"); json.date(updatedAt)
            json.key("wave"); json.number(wave)
        }
    }

    /// About how many bytes `write` takes for `offers`.
    static func estimatedSize(_ offers: [Offer]) -> Int {
        offers.reduce(64) { $0 + 480 + $1.recipients.count * 200 }
    }
}

extension OfferList: JSONTextResponse {
    func write(to json: inout JSONText) {
        json.object { json in
            json.key("data"); json.array(data) { json, offer in offer.write(to: &json) }
        }
    }

    var estimatedSize: Int { Offer.estimatedSize(data) }
}

extension Broadcast: JSONTextResponse {
    func write(to json: inout JSONText) {
        json.object { json in
            json.key("job_id"); json.uuid(jobId)
            json.key("mode"); json.string(mode)
            json.key("offers"); json.array(offers) { json, offer in offer.write(to: &json) }
            json.key("round"); json.number(round)
            json.key("status"); json.string(status)
            json.key("unreachable_organization_ids"); json.array(unreachableOrganizationIds) { $0.uuid($1) }
        }
    }

    var estimatedSize: Int { Offer.estimatedSize(offers) + unreachableOrganizationIds.count * 40 }
}

extension DispatchOutcome: JSONTextResponse {
    func write(to json: inout JSONText) {
        json.object { json in
            json.member("crew_id", ifPresent: crewId) { $0.uuid($1) }
            json.key("job_id"); json.uuid(jobId)
            json.key("offers"); json.array(offers) { json, offer in offer.write(to: &json) }
            json.member("organization_id", ifPresent: organizationId) { $0.uuid($1) }
            json.key("status"); json.string(status)
        }
    }

    var estimatedSize: Int { Offer.estimatedSize(offers) }
}
