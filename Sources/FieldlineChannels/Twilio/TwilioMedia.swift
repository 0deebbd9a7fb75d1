import Foundation

/// Twilio MMS media (https://www.twilio.com/docs/messaging/api/media-resource): `MediaUrl{N}` is
/// fetched with HTTP basic auth (account SID and auth token); Twilio then redirects to a
/// short-lived storage URL that needs no credentials.
public enum TwilioMedia {
    /// The `Authorization: Basic` header for `account`.
    public static func authorization(_ account: TwilioAccount) -> ProviderRequest.Header {
        let credentials = Data("\(account.accountSID):\(account.authToken)".utf8).base64EncodedString()
        return ProviderRequest.Header("Authorization", "Basic \(credentials)")
    }
}
