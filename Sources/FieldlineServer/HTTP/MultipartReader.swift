import Foundation
import NIOCore

/// Reads a `multipart/form-data` body as it streams in, one part at a time, holding at most a
/// chunk and a boundary's length of it: a part's content goes to its consumer chunk by chunk,
/// never whole in memory.
struct MultipartReader<Body: AsyncSequence & Sendable> where Body.Element == ByteBuffer {
    /// Largest block of part headers.
    static var maxHeaderBytes: Int { 16 * 1024 }

    /// One part's headers.
    struct Part: Sendable {
        /// `name` from Content-Disposition.
        let name: String
        /// `filename` from Content-Disposition; nil for a plain field.
        let filename: String?
        let contentType: String?
    }

    private var iterator: Body.AsyncIterator
    private var buffer: [UInt8] = []
    private var ended = false
    private let delimiter: [UInt8]
    private var started = false
    private var finished = false

    /// A reader of `body` with the boundary of its Content-Type.
    init(body: Body, boundary: String) {
        iterator = body.makeAsyncIterator()
        delimiter = Array("\r\n--\(boundary)".utf8)
    }

    /// The next part's headers, or nil after the closing boundary. Read its content with
    /// `readContent` before asking for the next part.
    mutating func nextPart() async throws -> Part? {
        if finished { return nil }
        if !started {
            // The first boundary has no CRLF before it.
            buffer = Array("\r\n".utf8) + buffer
            started = true
            guard try await skipThroughDelimiter() else { throw MultipartMalformed(message: "the body has no multipart boundary") }
        }
        // After a delimiter: "--" ends the body, CRLF starts a part.
        try await fill(2)
        guard buffer.count >= 2 else { throw MultipartMalformed(message: "the multipart body ends without its closing boundary") }
        if buffer[0] == UInt8(ascii: "-"), buffer[1] == UInt8(ascii: "-") {
            finished = true
            return nil
        }
        guard buffer[0] == 13, buffer[1] == 10 else { throw MultipartMalformed(message: "a multipart boundary is not followed by a line break") }
        buffer.removeFirst(2)
        let headerEnd = Array("\r\n\r\n".utf8)
        while true {
            if let end = Self.find(headerEnd, in: buffer, from: 0) {
                let text = String(decoding: buffer[0..<end], as: UTF8.self)
                buffer.removeFirst(end + 4)
                return try Self.part(headers: text)
            }
            if buffer.starts(with: Array("\r\n".utf8)) {
                buffer.removeFirst(2)
                throw MultipartMalformed(message: "a multipart part has no Content-Disposition")
            }
            guard buffer.count <= Self.maxHeaderBytes else { throw MultipartMalformed(message: "a multipart part's headers are too long") }
            guard try await more() else { throw MultipartMalformed(message: "the multipart body ends inside a part's headers") }
        }
    }

    /// Streams the current part's content to `consume`, chunk by chunk.
    mutating func readContent(_ consume: (ByteBuffer) async throws -> Void) async throws {
        while true {
            if let index = Self.find(delimiter, in: buffer, from: 0) {
                if index > 0 { try await consume(ByteBuffer(bytes: buffer[0..<index])) }
                buffer.removeFirst(index + delimiter.count)
                return
            }
            // Everything but a possible start of the delimiter can go.
            let safe = buffer.count - (delimiter.count - 1)
            if safe > 0 {
                try await consume(ByteBuffer(bytes: buffer[0..<safe]))
                buffer.removeFirst(safe)
            }
            guard try await more() else { throw MultipartMalformed(message: "the multipart body ends inside a part (truncated upload)") }
        }
    }

    /// A text field's content, up to `limit` bytes.
    mutating func readText(limit: Int) async throws -> String {
        var bytes: [UInt8] = []
        try await readContent { chunk in
            bytes += chunk.readableBytesView
            if bytes.count > limit { throw MultipartMalformed(message: "a form field is longer than \(limit) bytes") }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private mutating func skipThroughDelimiter() async throws -> Bool {
        while true {
            if let index = Self.find(delimiter, in: buffer, from: 0) {
                buffer.removeFirst(index + delimiter.count)
                return true
            }
            if buffer.count > delimiter.count { buffer.removeFirst(buffer.count - delimiter.count) }
            guard try await more() else { return false }
        }
    }

    private mutating func fill(_ count: Int) async throws {
        while buffer.count < count { guard try await more() else { return } }
    }

    private mutating func more() async throws -> Bool {
        guard !ended, let chunk = try await iterator.next() else {
            ended = true
            return false
        }
        buffer += chunk.readableBytesView
        return true
    }

    private static func part(headers: String) throws -> Part {
        var name: String?, filename: String?, contentType: String?
        for line in headers.split(separator: "\r\n") {
            let pair = line.split(separator: ":", maxSplits: 1)
            guard pair.count == 2 else { continue }
            let value = pair[1].trimmingCharacters(in: .whitespaces)
            switch pair[0].lowercased() {
            case "content-disposition":
                for parameter in value.split(separator: ";").dropFirst() {
                    let field = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    guard field.count == 2 else { continue }
                    let unquoted = field[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                    if field[0].lowercased() == "name" { name = unquoted }
                    if field[0].lowercased() == "filename" { filename = unquoted }
                }
            case "content-type": contentType = value
            default: break
            }
        }
        guard let name else { throw MultipartMalformed(message: "a multipart part has no name in its Content-Disposition") }
        return Part(name: name, filename: filename, contentType: contentType)
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard haystack.count >= needle.count + start, let first = needle.first else { return nil }
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first {
                var matched = true
                for offset in 1..<needle.count where haystack[index + offset] != needle[offset] {
                    matched = false
                    break
                }
                if matched { return index }
            }
            index += 1
        }
        return nil
    }
}

/// What a multipart body's structure got wrong (a 400 `invalid_multipart`).
struct MultipartMalformed: Error {
    let message: String
}

/// The boundary parameter of a `multipart/form-data` Content-Type.
enum MultipartBoundary {
    /// The boundary, or nil when the type is not multipart/form-data with a usable boundary.
    static func parse(_ contentType: String?) -> String? {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "boundary" {
                let value = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                return (1...70).contains(value.count) ? value : nil
            }
        }
        return nil
    }
}
