#ifndef FL_IMAGE_H
#define FL_IMAGE_H

#include <stddef.h>

/// A small grey image: what the perceptual hash is computed from.
typedef struct {
    int width;
    int height;
    /// The size the file declares.
    int source_width;
    int source_height;
    /// width * height bytes, row by row; free with fl_image_free.
    unsigned char *pixels;
    /// Why decoding failed (empty on success).
    char error[256];
} fl_gray_image;

/// Decodes the JPEG, PNG, HEIF or WebP file at `path` into a grey image whose sides are at most `max_side`
/// (area-averaged while the rows stream through: memory stays at a few rows of the source for
/// JPEG and PNG). Files declaring more than `max_pixels` are refused before any pixel is decoded;
/// a truncated file is an error, not a grey-padded image. `kind` is 1 for JPEG, 2 for PNG, 3 for
/// HEIC/HEIF (the primary image, rotated and mirrored as the file says; its luma), 4 for WebP
/// (lossy or lossless; grey from its RGB as libjpeg makes it).
/// Returns 0 on success, -1 with `out->error` set, or -2 when the image is valid but is not
/// decoded (an interlaced PNG, a progressive JPEG too large for the memory budget, a HEIF above
/// FL_HEIF_MAX_DECODED_PIXELS or coded with a codec libheif has no decoder for, a WebP above
/// FL_WEBP_MAX_DECODED_PIXELS or animated).
int fl_decode_gray(const char *path, int kind, int max_side, long long max_pixels, fl_gray_image *out);

/// libheif decodes a whole picture at once (about 4.5 bytes a pixel at its peak): larger HEIF
/// images are kept without a perceptual hash. 25 megapixels covers a phone's default photo.
#define FL_HEIF_MAX_DECODED_PIXELS 25000000LL

/// `fl_decode_gray` for HEIC/HEIF (kind 3).
int fl_decode_heif(const char *path, int max_side, long long max_pixels, fl_gray_image *out);

/// libwebp's lossless decoder holds the whole picture (4 bytes a pixel): larger WebP images are
/// kept without a perceptual hash, as HEIF ones.
#define FL_WEBP_MAX_DECODED_PIXELS 25000000LL

/// `fl_decode_gray` for WebP (kind 4).
int fl_decode_webp(const char *path, int max_side, long long max_pixels, fl_gray_image *out);

/// Frees the pixels of a decoded image.
void fl_image_free(fl_gray_image *image);

/// Encodes grey (components 1) or RGB (components 3) pixels as a baseline JPEG of `quality`,
/// with `app1` (a complete APP1 segment, marker included, or NULL) after SOI. The result is
/// malloc'd into *out; free it with free(). Returns 0 on success. (Used by tests and bench/.)
int fl_encode_jpeg(const unsigned char *pixels, int width, int height, int components, int quality,
                   const unsigned char *app1, size_t app1_length, unsigned char **out, size_t *out_length);

/// Encodes grey pixels as a HEIC (HEVC through libheif's x265 encoder) of `quality`, with `exif`
/// (a TIFF block, or NULL) attached as its Exif item. malloc'd into *out; free with free().
/// Returns 0 on success. (Used by tests.)
int fl_encode_heic(const unsigned char *pixels, int width, int height, int quality,
                   const unsigned char *exif, size_t exif_length, unsigned char **out, size_t *out_length);

/// Encodes grey (components 1) or RGB (components 3) pixels as a WebP, lossy at `quality` or
/// lossless, malloc'd into *out; free with free(). Returns 0 on success. (Used by tests.)
int fl_encode_webp(const unsigned char *pixels, int width, int height, int components, int quality, int lossless,
                   unsigned char **out, size_t *out_length);

/// Encodes grey or RGB pixels as a PNG, malloc'd into *out. Returns 0 on success.
int fl_encode_png(const unsigned char *pixels, int width, int height, int components, unsigned char **out, size_t *out_length);

#endif
