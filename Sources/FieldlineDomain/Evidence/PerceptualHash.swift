/// A difference hash (dHash) of an image: the picture reduced to 9 × 8 grey cells, one bit per
/// pair of horizontal neighbours (is the left one brighter?). Recompressing, resizing or a small
/// crop moves few bits, so near-identical photos are a small Hamming distance apart.
public enum PerceptualHash {
    /// Hashes at most this many bits apart are treated as the same photo.
    public static let matchDistance = 10

    /// The hash of a grey image (`pixels` row by row, `width` × `height`, one byte each), or nil
    /// when the image is smaller than 9 × 8 pixels.
    public static func dHash(gray pixels: [UInt8], width: Int, height: Int) -> UInt64? {
        guard width >= 9, height >= 8, pixels.count >= width * height else { return nil }
        let cells = downscale(pixels, width: width, height: height, to: 9, 8)
        var hash: UInt64 = 0
        for row in 0..<8 {
            for column in 0..<8 {
                hash <<= 1
                if cells[row * 9 + column] > cells[row * 9 + column + 1] { hash |= 1 }
            }
        }
        return hash
    }

    /// Bits that differ.
    public static func distance(_ a: UInt64, _ b: UInt64) -> Int { (a ^ b).nonzeroBitCount }

    /// Area-average downscale: each cell is the mean of the source pixels it covers.
    static func downscale(_ pixels: [UInt8], width: Int, height: Int, to columns: Int, _ rows: Int) -> [Double] {
        var sums = [Double](repeating: 0, count: columns * rows)
        var counts = [Double](repeating: 0, count: columns * rows)
        for y in 0..<height {
            let row = y * rows / height
            for x in 0..<width {
                let cell = row * columns + x * columns / width
                sums[cell] += Double(pixels[y * width + x])
                counts[cell] += 1
            }
        }
        return zip(sums, counts).map { $0 / max($1, 1) }
    }

    /// As 16 lowercase hex digits (how it is stored).
    public static func hex(_ hash: UInt64) -> String {
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
