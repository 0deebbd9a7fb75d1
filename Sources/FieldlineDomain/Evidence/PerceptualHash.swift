/// A difference hash (dHash) of an image: the picture reduced to 9 × 8 grey cells, one bit per
/// pair of horizontal neighbours (is the left one brighter?). Recompressing, resizing or a small
/// crop moves few bits, so near-identical photos are a small Hamming distance apart.
public enum PerceptualHash {
    /// Hashes at most this many bits apart are treated as the same photo.
    public static let matchDistance = 10

    /// A picture whose grey thumbnail varies less than this (its standard deviation, in grey
    /// levels of 255) is too flat to compare by perceptual hash: a black or white photo, a wall
    /// under even light, even with the lens's corners a fifth darker (about 8.4). A real scene
    /// is typically 30-60. Flat pictures hash alike whatever they show, so comparing them would
    /// flag unrelated jobs; they are still compared by SHA-256.
    public static let minimumContrast = 10.0

    /// Whether a photo's hash may be compared with others' (`contrast` nil: not measured, as for
    /// photos hashed before it was, which are judged by the hash alone). A hash with at most
    /// `matchDistance` one-bits (or zero-bits) lies within matching distance of the all-0 (all-1)
    /// hash that every uniform or evenly shaded picture has, so it cannot tell the photo from one.
    public static func isComparable(_ hash: UInt64, contrast: Double?) -> Bool {
        (matchDistance + 1...63 - matchDistance).contains(hash.nonzeroBitCount) && (contrast ?? .infinity) >= minimumContrast
    }

    /// The standard deviation of a grey image's pixels, in grey levels (0 for an empty image).
    public static func contrast(gray pixels: [UInt8]) -> Double {
        guard !pixels.isEmpty else { return 0 }
        let count = Double(pixels.count)
        let mean = pixels.reduce(0.0) { $0 + Double($1) } / count
        let variance = pixels.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / count
        return variance.squareRoot()
    }

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
