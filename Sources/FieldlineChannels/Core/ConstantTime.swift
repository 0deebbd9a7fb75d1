import Crypto
import Foundation

/// Comparisons for secrets and signatures that take the same time wherever the inputs differ.
///
/// Every verifier in this target goes through here or through `HMAC.isValidAuthenticationCode`;
/// none compares secrets with `==` (STYLE.md: penny-bot's lesson).
public enum ConstantTime {
    /// True when both byte sequences are equal; time depends only on their lengths.
    public static func equals(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for (left, right) in zip(lhs, rhs) {
            difference |= left ^ right
        }
        return difference == 0
    }

    /// True when both strings are equal, without leaking their length or where they differ:
    /// both are hashed first, and the digests are compared in constant time.
    public static func equals(_ lhs: String, _ rhs: String) -> Bool {
        let left = SHA256.hash(data: Array(lhs.utf8))
        let right = SHA256.hash(data: Array(rhs.utf8))
        return equals(Array(left), Array(right))
    }
}

/// Lowercase hexadecimal encoding and decoding.
public enum Hex {
    /// The lowercase hex text of `bytes`.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of hex `text` (either case), or `nil` when it is not hex.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count.isMultiple(of: 2) else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
