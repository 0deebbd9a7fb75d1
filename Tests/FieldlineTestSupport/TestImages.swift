import CImageKit
import Foundation

/// Real, decodable photos made in the tests: a synthetic scene encoded with libjpeg, libpng,
/// libheif or libwebp.
public enum TestImages {
    /// A grey scene (a gradient, waves and a bright disc) of `width` × `height`; `variant`
    /// moves the disc and the waves, so different variants are different photos.
    public static func scene(width: Int, height: Int, variant: Int = 0) -> [UInt8] {
        let cx = 0.3 + 0.4 * Double(variant % 5) / 5, phase = Double(variant) * 1.7
        var pixels = [UInt8](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                let u = Double(x) / Double(width), v = Double(y) / Double(height)
                let disc = (u - cx) * (u - cx) + (v - 0.5) * (v - 0.5) < 0.03 ? 90.0 : 0
                let value = 40 + 90 * u + 50 * sin(v * 7 + phase) + 30 * cos(u * 11 - phase) + disc
                pixels[y * width + x] = UInt8(max(0, min(255, value)))
            }
        }
        return pixels
    }

    /// A flat picture (a black photo, a white wall): every pixel `level`, the corners darker by
    /// `vignette` (0.2: a fifth), as a lens darkens them.
    public static func flat(width: Int, height: Int, level: Double, vignette: Double = 0) -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                let u = (Double(x) + 0.5) / Double(width) - 0.5, v = (Double(y) + 0.5) / Double(height) - 0.5
                pixels[y * width + x] = UInt8(max(0, min(255, (level * (1 - vignette * (u * u + v * v) / 0.5)).rounded())))
            }
        }
        return pixels
    }

    /// `pixels` cropped to the rectangle at (`x`, `y`) of `width` × `height`.
    public static func crop(_ pixels: [UInt8], sourceWidth: Int, x: Int, y: Int, width: Int, height: Int) -> [UInt8] {
        (y..<y + height).flatMap { row in pixels[(row * sourceWidth + x)..<(row * sourceWidth + x + width)] }
    }

    /// A grey JPEG of the pixels at `quality`, with `app1` (an EXIF segment) when given.
    public static func jpeg(_ pixels: [UInt8], width: Int, height: Int, quality: Int = 90, app1: [UInt8]? = nil) -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>?
        var length = 0
        let result = pixels.withUnsafeBufferPointer { buffer in
            if let app1 {
                return app1.withUnsafeBufferPointer { fl_encode_jpeg(buffer.baseAddress, Int32(width), Int32(height), 1, Int32(quality), $0.baseAddress, app1.count, &out, &length) }
            }
            return fl_encode_jpeg(buffer.baseAddress, Int32(width), Int32(height), 1, Int32(quality), nil, 0, &out, &length)
        }
        precondition(result == 0, "JPEG encoding failed")
        defer { free(out) }
        return Array(UnsafeBufferPointer(start: out, count: length))
    }

    /// A grey PNG of the pixels.
    public static func png(_ pixels: [UInt8], width: Int, height: Int) -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>?
        var length = 0
        let result = pixels.withUnsafeBufferPointer { fl_encode_png($0.baseAddress, Int32(width), Int32(height), 1, &out, &length) }
        precondition(result == 0, "PNG encoding failed")
        defer { free(out) }
        return Array(UnsafeBufferPointer(start: out, count: length))
    }

    /// A HEIC of the grey pixels (HEVC, coded by libheif with x265, as a phone's camera does),
    /// with `exif` as its Exif item (`Exif\0\0` and the TIFF block, as iPhones write it) when given.
    public static func heic(_ pixels: [UInt8], width: Int, height: Int, quality: Int = 80, exif: ExifBuilder? = nil) -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>?
        var length = 0
        let block = exif.map { Array("Exif\0\0".utf8) + $0.tiff() }
        let result = pixels.withUnsafeBufferPointer { buffer in
            if let block {
                return block.withUnsafeBufferPointer { fl_encode_heic(buffer.baseAddress, Int32(width), Int32(height), Int32(quality), $0.baseAddress, block.count, &out, &length) }
            }
            return fl_encode_heic(buffer.baseAddress, Int32(width), Int32(height), Int32(quality), nil, 0, &out, &length)
        }
        precondition(result == 0, "HEIC encoding failed")
        defer { free(out) }
        return Array(UnsafeBufferPointer(start: out, count: length))
    }

    /// A WebP of the grey pixels (as RGB), coded by libwebp: lossy at `quality`, or lossless.
    public static func webp(_ pixels: [UInt8], width: Int, height: Int, quality: Int = 80, lossless: Bool = false) -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>?
        var length = 0
        let result = pixels.withUnsafeBufferPointer {
            fl_encode_webp($0.baseAddress, Int32(width), Int32(height), 1, Int32(quality), lossless ? 1 : 0, &out, &length)
        }
        precondition(result == 0, "WebP encoding failed")
        defer { free(out) }
        return Array(UnsafeBufferPointer(start: out, count: length))
    }

    /// A photo as a phone sends it: a JPEG of scene `variant`, with EXIF when given.
    public static func photo(variant: Int = 0, width: Int = 320, height: Int = 240, quality: Int = 90, exif: ExifBuilder? = nil) -> [UInt8] {
        jpeg(scene(width: width, height: height, variant: variant), width: width, height: height, quality: quality, app1: exif?.app1())
    }

    /// The JPEG at `file` decoded to grey, at most `maxSide` pixels a side (nil when it cannot be decoded).
    public static func decodeGray(_ file: String, maxSide: Int) -> [UInt8]? {
        var image = fl_gray_image()
        defer { fl_image_free(&image) }
        guard fl_decode_gray(file, 1, Int32(maxSide), 100_000_000, &image) == 0 else { return nil }
        return Array(UnsafeBufferPointer(start: image.pixels, count: Int(image.width) * Int(image.height)))
    }
}
