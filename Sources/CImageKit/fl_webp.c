// WebP decoding for the perceptual hash, on libwebp (Debian's libwebp-dev), lossy (VP8) and
// lossless (VP8L). libwebp reports errors as status codes and needs the whole file in memory.
// A lossy picture is scaled down by libwebp's own rescaler as its rows are decoded (a few rows
// of the source at a time), but the lossless decoder holds the whole picture (4 bytes a pixel),
// so the budget is a pixel count, as for HEIF (FL_WEBP_MAX_DECODED_PIXELS).
#include "fl_image.h"
#include "fl_scaler.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <webp/decode.h>
#include <webp/encode.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

/// The side libwebp scales a picture down to before our area average takes it to `max_side`:
/// small enough that the decoded output stays small, large enough that the 64-pixel thumbnail
/// is an average of many pixels (as from a JPEG's 1/8 scaled IDCT).
#define FL_WEBP_SCALED_SIDE 512

static const char *webp_status(VP8StatusCode status) {
    switch (status) {
    case VP8_STATUS_OUT_OF_MEMORY: return "out of memory";
    case VP8_STATUS_INVALID_PARAM: return "invalid parameter";
    case VP8_STATUS_BITSTREAM_ERROR: return "broken bitstream";
    case VP8_STATUS_UNSUPPORTED_FEATURE: return "unsupported feature";
    case VP8_STATUS_NOT_ENOUGH_DATA: return "the file is cut off";
    default: return "cannot be decoded";
    }
}

/// Reads the whole file (the caller has already limited its size to the media limit).
static unsigned char *read_file(const char *path, size_t *length, fl_gray_image *out) {
    FILE *file = fopen(path, "rb");
    if (!file) {
        snprintf(out->error, sizeof out->error, "the file cannot be opened");
        return NULL;
    }
    unsigned char *bytes = NULL;
    long size = -1;
    if (fseek(file, 0, SEEK_END) == 0) size = ftell(file);
    if (size > 0 && fseek(file, 0, SEEK_SET) == 0) bytes = malloc((size_t)size);
    if (bytes && fread(bytes, 1, (size_t)size, file) != (size_t)size) {
        free(bytes);
        bytes = NULL;
    }
    fclose(file);
    if (!bytes) snprintf(out->error, sizeof out->error, "the WebP cannot be read");
    *length = bytes ? (size_t)size : 0;
    return bytes;
}

int fl_decode_webp(const char *path, int max_side, long long max_pixels, fl_gray_image *out) {
    memset(out, 0, sizeof *out);
    size_t length = 0;
    unsigned char *bytes = read_file(path, &length, out);
    if (!bytes) return -1;
    WebPDecoderConfig config;
    box_scaler scaler = {0};
    int result = -1, decoded = 0;
    if (!WebPInitDecoderConfig(&config)) {
        snprintf(out->error, sizeof out->error, "libwebp version mismatch");
        goto done;
    }
    VP8StatusCode status = WebPGetFeatures(bytes, length, &config.input);
    if (status != VP8_STATUS_OK) {
        snprintf(out->error, sizeof out->error, "the WebP header: %s", webp_status(status));
        goto done;
    }
    int width = config.input.width, height = config.input.height;
    out->source_width = width;
    out->source_height = height;
    if (width <= 0 || height <= 0 || (long long)width * height > max_pixels) {
        snprintf(out->error, sizeof out->error, "the WebP declares %d x %d pixels", width, height);
        goto done;
    }
    if ((long long)width * height > FL_WEBP_MAX_DECODED_PIXELS) {
        snprintf(out->error, sizeof out->error, "WebP images above %lld pixels are not decoded for the perceptual hash", FL_WEBP_MAX_DECODED_PIXELS);
        result = -2;
        goto done;
    }
    if (config.input.has_animation) {
        snprintf(out->error, sizeof out->error, "an animated WebP is not decoded for the perceptual hash");
        result = -2;
        goto done;
    }
    int longest = width > height ? width : height;
    if (longest > FL_WEBP_SCALED_SIDE) {
        config.options.use_scaling = 1;
        config.options.scaled_width = (int)((long long)width * FL_WEBP_SCALED_SIDE / longest);
        config.options.scaled_height = (int)((long long)height * FL_WEBP_SCALED_SIDE / longest);
        if (config.options.scaled_width < 1) config.options.scaled_width = 1;
        if (config.options.scaled_height < 1) config.options.scaled_height = 1;
    }
    config.output.colorspace = MODE_RGB;
    status = WebPDecode(bytes, length, &config);
    if (status != VP8_STATUS_OK) {
        snprintf(out->error, sizeof out->error, "the WebP image: %s", webp_status(status));
        result = status == VP8_STATUS_UNSUPPORTED_FEATURE ? -2 : -1;
        goto done;
    }
    decoded = 1;
    const WebPRGBABuffer *rgb = &config.output.u.RGBA;
    int plane_width = config.output.width, plane_height = config.output.height;
    unsigned char *row = malloc((size_t)plane_width);
    if (!row || scaler_init(&scaler, plane_width, plane_height, max_side) != 0) {
        free(row);
        snprintf(out->error, sizeof out->error, "out of memory");
        goto done;
    }
    for (int y = 0; y < plane_height; y++) {
        const unsigned char *source = rgb->rgba + (size_t)y * rgb->stride;
        // Grey as libjpeg makes it from RGB (ITU-R BT.601 luma, full range), so a WebP and a
        // JPEG of the same picture give the same thumbnail.
        for (int x = 0; x < plane_width; x++) {
            const unsigned char *p = source + 3 * x;
            row[x] = (unsigned char)((19595u * p[0] + 38470u * p[1] + 7471u * p[2] + 32768u) >> 16);
        }
        scaler_add_row(&scaler, y, row);
    }
    free(row);
    result = scaler_finish(&scaler, out);
done:
    scaler_free(&scaler);
    if (decoded) WebPFreeDecBuffer(&config.output);
    free(bytes);
#ifdef __GLIBC__
    // As for HEIF: the lossless decoder's whole-picture buffer goes back to the system.
    malloc_trim(0);
#endif
    return result;
}

// MARK: Encoding (tests)

int fl_encode_webp(const unsigned char *pixels, int width, int height, int components, int quality, int lossless,
                   unsigned char **out, size_t *out_length) {
    unsigned char *rgb = malloc((size_t)width * height * 3);
    if (!rgb) return -1;
    for (size_t i = 0; i < (size_t)width * height; i++) {
        for (int c = 0; c < 3; c++) rgb[3 * i + c] = components == 1 ? pixels[i] : pixels[3 * i + c];
    }
    uint8_t *encoded = NULL;
    size_t length = lossless ? WebPEncodeLosslessRGB(rgb, width, height, width * 3, &encoded)
                             : WebPEncodeRGB(rgb, width, height, width * 3, (float)quality, &encoded);
    free(rgb);
    if (length == 0 || !encoded) return -1;
    *out = malloc(length);
    if (!*out) {
        WebPFree(encoded);
        return -1;
    }
    memcpy(*out, encoded, length);
    *out_length = length;
    WebPFree(encoded);
    return 0;
}
