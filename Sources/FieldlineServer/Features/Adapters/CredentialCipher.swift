import Crypto
import Foundation

/// Seals adapter credentials at rest with AES-256-GCM under `MASTER_KEY`. The adapter id is
/// authenticated with each blob, so a sealed value copied onto another adapter does not open.
struct CredentialCipher: Sendable {
    private let key: SymmetricKey

    /// A cipher for a 32-byte master key.
    init(masterKey: [UInt8]) {
        key = SymmetricKey(data: masterKey)
    }

    /// nonce ‖ ciphertext ‖ tag.
    func seal(_ plaintext: [UInt8], adapterID: UUID) throws -> [UInt8] {
        let sealed = try AES.GCM.seal(plaintext, using: key, authenticating: Self.associatedData(adapterID))
        guard let combined = sealed.combined else { throw CredentialError.sealFailed }
        return Array(combined)
    }

    /// The plaintext, or `CredentialError.cannotOpen` when the key or adapter id is wrong.
    func open(_ blob: [UInt8], adapterID: UUID) throws -> [UInt8] {
        do {
            let box = try AES.GCM.SealedBox(combined: blob)
            return Array(try AES.GCM.open(box, using: key, authenticating: Self.associatedData(adapterID)))
        } catch {
            throw CredentialError.cannotOpen
        }
    }

    private static func associatedData(_ adapterID: UUID) -> [UInt8] {
        Array(adapterID.uuidString.lowercased().utf8)
    }
}

/// Why credentials could not be sealed or opened.
enum CredentialError: Error, CustomStringConvertible {
    case sealFailed
    /// Wrong MASTER_KEY, or a blob that belongs to another adapter.
    case cannotOpen

    var description: String {
        switch self {
        case .sealFailed: "could not encrypt adapter credentials"
        case .cannotOpen: "adapter credentials cannot be decrypted: MASTER_KEY differs from the one they were sealed with"
        }
    }
}
