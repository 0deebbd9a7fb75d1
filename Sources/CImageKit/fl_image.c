// Image decoding for the perceptual hash, on libjpeg-turbo and libpng (Debian's libjpeg-dev and
// libpng-dev; HEIC/HEIF is in fl_heif.c, WebP in fl_webp.c). Both libraries report fatal errors through a callback that must not return: it
// longjmps back here, which Swift cannot do, hence this small C layer.
#include "fl_image.h"
#include "fl_scaler.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>
#include <png.h>

// MARK: JPEG

typedef struct {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    int truncated;
} jpeg_errors;

static void jpeg_fail(j_common_ptr cinfo) {
    jpeg_errors *errors = (jpeg_errors *)cinfo->err;
    longjmp(errors->jump, 1);
}

static void jpeg_note(j_common_ptr cinfo, int level) {
    jpeg_errors *errors = (jpeg_errors *)cinfo->err;
    // A premature end of data is a truncated file; libjpeg would pad it with grey.
    if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) errors->truncated = 1;
}

static int decode_jpeg(FILE *file, int max_side, long long max_pixels, fl_gray_image *out) {
    struct jpeg_decompress_struct cinfo;
    jpeg_errors errors;
    box_scaler scaler = {0};
    JSAMPROW row = NULL;
    cinfo.err = jpeg_std_error(&errors.base);
    errors.base.error_exit = jpeg_fail;
    errors.base.emit_message = jpeg_note;
    errors.truncated = 0;
    if (setjmp(errors.jump)) {
        char message[JMSG_LENGTH_MAX];
        errors.base.format_message((j_common_ptr)&cinfo, message);
        // Too big to decode within the budget (a very large progressive JPEG) is not a broken
        // file: it is kept, without a perceptual hash.
        int skipped = errors.base.msg_code == JERR_OUT_OF_MEMORY;
        snprintf(out->error, sizeof out->error, "the JPEG cannot be decoded: %s", message);
        jpeg_destroy_decompress(&cinfo);
        scaler_free(&scaler);
        free(row);
        return skipped ? -2 : -1;
    }
    jpeg_create_decompress(&cinfo);
    // Progressive images buffer all coefficients: cap what libjpeg may allocate.
    cinfo.mem->max_memory_to_use = 96L * 1024 * 1024;
    jpeg_stdio_src(&cinfo, file);
    jpeg_read_header(&cinfo, TRUE);
    out->source_width = (int)cinfo.image_width;
    out->source_height = (int)cinfo.image_height;
    if ((long long)cinfo.image_width * cinfo.image_height > max_pixels) {
        snprintf(out->error, sizeof out->error, "the JPEG declares %u x %u pixels", cinfo.image_width, cinfo.image_height);
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    cinfo.out_color_space = JCS_GRAYSCALE;
    // libjpeg scales by 1/2, 1/4 or 1/8 in the IDCT almost for free.
    unsigned int longer = cinfo.image_width > cinfo.image_height ? cinfo.image_width : cinfo.image_height;
    cinfo.scale_num = 1;
    cinfo.scale_denom = longer >= (unsigned)max_side * 8 ? 8 : longer >= (unsigned)max_side * 4 ? 4 : longer >= (unsigned)max_side * 2 ? 2 : 1;
    jpeg_start_decompress(&cinfo);
    if (scaler_init(&scaler, (int)cinfo.output_width, (int)cinfo.output_height, max_side) != 0) {
        snprintf(out->error, sizeof out->error, "out of memory");
        jpeg_destroy_decompress(&cinfo);
        scaler_free(&scaler);
        return -1;
    }
    row = malloc(cinfo.output_width * (size_t)cinfo.output_components);
    while (cinfo.output_scanline < cinfo.output_height && !errors.truncated) {
        int y = (int)cinfo.output_scanline;
        jpeg_read_scanlines(&cinfo, &row, 1);
        scaler_add_row(&scaler, y, row);
    }
    if (errors.truncated) {
        snprintf(out->error, sizeof out->error, "the JPEG is truncated: its data ends before the image does");
        jpeg_destroy_decompress(&cinfo);
        scaler_free(&scaler);
        free(row);
        return -1;
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    free(row);
    int result = scaler_finish(&scaler, out);
    scaler_free(&scaler);
    return result;
}

// MARK: PNG

typedef struct {
    char *error;
    size_t size;
} png_context;

static void png_fail(png_structp png, png_const_charp message) {
    png_context *context = png_get_error_ptr(png);
    snprintf(context->error, context->size, "the PNG cannot be decoded: %s", message);
    png_longjmp(png, 1);
}

static void png_ignore(png_structp png, png_const_charp message) {
    (void)png;
    (void)message;
}

static int decode_png(FILE *file, int max_side, long long max_pixels, fl_gray_image *out) {
    png_context context = {out->error, sizeof out->error};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &context, png_fail, png_ignore);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    box_scaler scaler = {0};
    unsigned char *volatile row = NULL;
    if (!png || !info) {
        snprintf(out->error, sizeof out->error, "out of memory");
        png_destroy_read_struct(&png, &info, NULL);
        return -1;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        scaler_free(&scaler);
        free(row);
        return -1;
    }
    png_init_io(png, file);
    // libpng's own limit: a bomb stops at the header, before any allocation for its rows.
    png_set_user_limits(png, 1u << 20, 1u << 20);
    png_read_info(png, info);
    png_uint_32 width = png_get_image_width(png, info), height = png_get_image_height(png, info);
    out->source_width = (int)width;
    out->source_height = (int)height;
    if ((long long)width * height > max_pixels) {
        snprintf(out->error, sizeof out->error, "the PNG declares %u x %u pixels", width, height);
        png_destroy_read_struct(&png, &info, NULL);
        return -1;
    }
    if (png_get_interlace_type(png, info) != PNG_INTERLACE_NONE) {
        snprintf(out->error, sizeof out->error, "interlaced PNGs are not decoded for the perceptual hash");
        png_destroy_read_struct(&png, &info, NULL);
        return -2;
    }
    png_set_expand(png);
    png_set_strip_16(png);
    png_set_strip_alpha(png);
    png_byte color = png_get_color_type(png, info);
    if (color & PNG_COLOR_MASK_COLOR) png_set_rgb_to_gray_fixed(png, 1, -1, -1);
    png_read_update_info(png, info);
    if (scaler_init(&scaler, (int)width, (int)height, max_side) != 0) {
        snprintf(out->error, sizeof out->error, "out of memory");
        png_destroy_read_struct(&png, &info, NULL);
        scaler_free(&scaler);
        return -1;
    }
    row = malloc(png_get_rowbytes(png, info));
    for (png_uint_32 y = 0; y < height; y++) {
        png_read_row(png, row, NULL);
        scaler_add_row(&scaler, (int)y, row);
    }
    png_read_end(png, NULL);
    png_destroy_read_struct(&png, &info, NULL);
    free(row);
    int result = scaler_finish(&scaler, out);
    scaler_free(&scaler);
    return result;
}

int fl_decode_gray(const char *path, int kind, int max_side, long long max_pixels, fl_gray_image *out) {
    memset(out, 0, sizeof *out);
    // libheif reads the file itself (through its item locations, not front to back).
    if (kind == 3) return fl_decode_heif(path, max_side, max_pixels, out);
    // libwebp decodes from memory.
    if (kind == 4) return fl_decode_webp(path, max_side, max_pixels, out);
    FILE *file = fopen(path, "rb");
    if (!file) {
        snprintf(out->error, sizeof out->error, "the file cannot be opened");
        return -1;
    }
    int result = kind == 1 ? decode_jpeg(file, max_side, max_pixels, out) : kind == 2 ? decode_png(file, max_side, max_pixels, out) : -1;
    if (kind != 1 && kind != 2) snprintf(out->error, sizeof out->error, "not a JPEG, PNG, HEIF or WebP");
    fclose(file);
    return result;
}

void fl_image_free(fl_gray_image *image) {
    free(image->pixels);
    image->pixels = NULL;
}

// MARK: Encoding (tests, bench)

int fl_encode_jpeg(const unsigned char *pixels, int width, int height, int components, int quality,
                   const unsigned char *app1, size_t app1_length, unsigned char **out, size_t *out_length) {
    struct jpeg_compress_struct cinfo;
    jpeg_errors errors;
    unsigned char *buffer = NULL;
    unsigned long length = 0;
    cinfo.err = jpeg_std_error(&errors.base);
    errors.base.error_exit = jpeg_fail;
    if (setjmp(errors.jump)) {
        jpeg_destroy_compress(&cinfo);
        free(buffer);
        return -1;
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, &buffer, &length);
    cinfo.image_width = (JDIMENSION)width;
    cinfo.image_height = (JDIMENSION)height;
    cinfo.input_components = components;
    cinfo.in_color_space = components == 3 ? JCS_RGB : JCS_GRAYSCALE;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality, TRUE);
    // Without JFIF, an APP1 right after SOI is where cameras put EXIF.
    cinfo.write_JFIF_header = app1 ? FALSE : TRUE;
    jpeg_start_compress(&cinfo, TRUE);
    if (app1 && app1_length > 4) jpeg_write_marker(&cinfo, JPEG_APP0 + 1, app1 + 4, (unsigned int)(app1_length - 4));
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)cinfo.next_scanline * width * components);
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    *out = buffer;
    *out_length = length;
    return 0;
}

int fl_encode_png(const unsigned char *pixels, int width, int height, int components, unsigned char **out, size_t *out_length) {
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    image.width = (png_uint_32)width;
    image.height = (png_uint_32)height;
    image.format = components == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
    png_alloc_size_t size = 0;
    if (!png_image_write_to_memory(&image, NULL, &size, 0, pixels, 0, NULL)) return -1;
    *out = malloc(size);
    if (!*out) return -1;
    if (!png_image_write_to_memory(&image, *out, &size, 0, pixels, 0, NULL)) {
        free(*out);
        return -1;
    }
    *out_length = size;
    return 0;
}
