// HEIC/HEIF decoding for the perceptual hash, on libheif (Debian's libheif-dev, which decodes
// HEVC with libde265 and encodes it with x265). libheif reports errors as values, but its
// picture comes whole, so the budget is a pixel count (FL_HEIF_MAX_DECODED_PIXELS).
#include "fl_image.h"
#include "fl_scaler.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libheif/heif.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

/// -2 (valid, not decoded) for what libheif does not support, -1 (refused) for a broken file.
static int heif_failure(struct heif_error error, const char *what, fl_gray_image *out) {
    snprintf(out->error, sizeof out->error, "the HEIF %s: %s", what, error.message ? error.message : "unknown error");
    return error.code == heif_error_Unsupported_feature ? -2 : -1;
}

int fl_decode_heif(const char *path, int max_side, long long max_pixels, fl_gray_image *out) {
    memset(out, 0, sizeof *out);
    struct heif_context *context = heif_context_alloc();
    struct heif_image_handle *handle = NULL;
    struct heif_image *image = NULL;
    struct heif_decoding_options *options = NULL;
    box_scaler scaler = {0};
    int result = -1;
    if (!context) {
        snprintf(out->error, sizeof out->error, "out of memory");
        return -1;
    }
    // No side beyond 65,536 pixels (libheif's own check, while it parses), and one thread: the
    // server decodes one photo at a time per core.
    heif_context_set_maximum_image_size_limit(context, 1 << 16);
    heif_context_set_max_decoding_threads(context, 0);
    struct heif_error error = heif_context_read_from_file(context, path, NULL);
    if (error.code != heif_error_Ok) {
        result = heif_failure(error, "file cannot be read", out);
        goto done;
    }
    error = heif_context_get_primary_image_handle(context, &handle);
    if (error.code != heif_error_Ok) {
        result = heif_failure(error, "file has no primary image", out);
        goto done;
    }
    // The size as shown: after the file's rotation.
    int width = heif_image_handle_get_width(handle), height = heif_image_handle_get_height(handle);
    out->source_width = width;
    out->source_height = height;
    if (width <= 0 || height <= 0 || (long long)width * height > max_pixels) {
        snprintf(out->error, sizeof out->error, "the HEIF declares %d x %d pixels", width, height);
        goto done;
    }
    if ((long long)width * height > FL_HEIF_MAX_DECODED_PIXELS) {
        snprintf(out->error, sizeof out->error, "HEIF images above %lld pixels are not decoded for the perceptual hash", FL_HEIF_MAX_DECODED_PIXELS);
        result = -2;
        goto done;
    }
    options = heif_decoding_options_alloc();
    if (options) options->convert_hdr_to_8bit = 1;
    // Only the luma plane is used; YCbCr 4:2:0 is what HEVC photos are coded in (no conversion).
    error = heif_decode_image(handle, &image, heif_colorspace_YCbCr, heif_chroma_420, options);
    if (error.code == heif_error_Unsupported_feature && error.subcode == heif_suberror_Unsupported_color_conversion) {
        error = heif_decode_image(handle, &image, heif_colorspace_monochrome, heif_chroma_monochrome, options);
    }
    if (error.code != heif_error_Ok) {
        result = heif_failure(error, "image cannot be decoded", out);
        goto done;
    }
    int stride = 0;
    const unsigned char *plane = heif_image_get_plane_readonly(image, heif_channel_Y, &stride);
    int plane_width = heif_image_get_width(image, heif_channel_Y), plane_height = heif_image_get_height(image, heif_channel_Y);
    if (!plane || heif_image_get_bits_per_pixel(image, heif_channel_Y) != 8 || plane_width <= 0 || plane_height <= 0) {
        snprintf(out->error, sizeof out->error, "the HEIF image has no 8-bit luma plane");
        result = -2;
        goto done;
    }
    if (scaler_init(&scaler, plane_width, plane_height, max_side) != 0) {
        snprintf(out->error, sizeof out->error, "out of memory");
        goto done;
    }
    for (int y = 0; y < plane_height; y++) scaler_add_row(&scaler, y, plane + (size_t)y * stride);
    result = scaler_finish(&scaler, out);
done:
    scaler_free(&scaler);
    if (image) heif_image_release(image);
    if (options) heif_decoding_options_free(options);
    if (handle) heif_image_handle_release(handle);
    heif_context_free(context);
#ifdef __GLIBC__
    // The picture's buffers were freed, but glibc keeps them in the decoding thread's arena
    // (measured: +130 MiB after HEIC uploads on two pool threads, against +54 MiB for one
    // decode): give them back to the system.
    malloc_trim(0);
#endif
    return result;
}

// MARK: Encoding (tests)

typedef struct {
    unsigned char *bytes;
    size_t length;
    int failed;
} heif_buffer;

static struct heif_error write_to_buffer(struct heif_context *context, const void *data, size_t size, void *userdata) {
    (void)context;
    heif_buffer *buffer = userdata;
    unsigned char *grown = realloc(buffer->bytes, buffer->length + size);
    struct heif_error error = {heif_error_Ok, heif_suberror_Unspecified, "ok"};
    if (!grown) {
        buffer->failed = 1;
        error.code = heif_error_Memory_allocation_error;
        error.message = "out of memory";
        return error;
    }
    memcpy(grown + buffer->length, data, size);
    buffer->bytes = grown;
    buffer->length += size;
    return error;
}

int fl_encode_heic(const unsigned char *pixels, int width, int height, int quality,
                   const unsigned char *exif, size_t exif_length, unsigned char **out, size_t *out_length) {
    struct heif_context *context = heif_context_alloc();
    struct heif_encoder *encoder = NULL;
    struct heif_image *image = NULL;
    struct heif_image_handle *handle = NULL;
    heif_buffer buffer = {0};
    int result = -1;
    if (!context) return -1;
    if (heif_context_get_encoder_for_format(context, heif_compression_HEVC, &encoder).code != heif_error_Ok) goto done;
    heif_encoder_set_lossy_quality(encoder, quality);
    if (heif_image_create(width, height, heif_colorspace_YCbCr, heif_chroma_420, &image).code != heif_error_Ok) goto done;
    int chroma_width = (width + 1) / 2, chroma_height = (height + 1) / 2;
    heif_image_add_plane(image, heif_channel_Y, width, height, 8);
    heif_image_add_plane(image, heif_channel_Cb, chroma_width, chroma_height, 8);
    heif_image_add_plane(image, heif_channel_Cr, chroma_width, chroma_height, 8);
    int stride = 0;
    unsigned char *luma = heif_image_get_plane(image, heif_channel_Y, &stride);
    for (int y = 0; y < height; y++) memcpy(luma + (size_t)y * stride, pixels + (size_t)y * width, (size_t)width);
    for (int channel = 0; channel < 2; channel++) {
        unsigned char *plane = heif_image_get_plane(image, channel ? heif_channel_Cr : heif_channel_Cb, &stride);
        for (int y = 0; y < chroma_height; y++) memset(plane + (size_t)y * stride, 128, (size_t)chroma_width);
    }
    if (heif_context_encode_image(context, image, encoder, NULL, &handle).code != heif_error_Ok) goto done;
    if (exif && heif_context_add_exif_metadata(context, handle, exif, (int)exif_length).code != heif_error_Ok) goto done;
    struct heif_writer writer = {1, write_to_buffer};
    if (heif_context_write(context, &writer, &buffer).code != heif_error_Ok || buffer.failed) goto done;
    *out = buffer.bytes;
    *out_length = buffer.length;
    buffer.bytes = NULL;
    result = 0;
done:
    free(buffer.bytes);
    if (handle) heif_image_handle_release(handle);
    if (image) heif_image_release(image);
    if (encoder) heif_encoder_release(encoder);
    heif_context_free(context);
    return result;
}
