// Writes a synthetic grey photo of WIDTH x HEIGHT as a JPEG (or, with a fourth argument `heic`,
// a HEIC) to stdout, with the encoders the server's tests use (Sources/CImageKit). Built by
// bench/run-proof-memory.
#include "fl_image.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    int width = argc > 1 ? atoi(argv[1]) : 4000, height = argc > 2 ? atoi(argv[2]) : 3000, seed = argc > 3 ? atoi(argv[3]) : 0;
    unsigned char *pixels = malloc((size_t)width * height);
    for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++) {
            double u = (double)x / width, v = (double)y / height;
            // Fine texture so the file is as large as a real photo's.
            int noise = (int)((unsigned)(x * 2654435761u ^ y * 40503u ^ seed * 977u) >> 27);
            double value = 40 + 90 * u + 50 * sin(v * 7 + seed) + noise;
            pixels[(size_t)y * width + x] = (unsigned char)(value < 0 ? 0 : value > 255 ? 255 : value);
        }
    unsigned char *out;
    size_t length;
    int heic = argc > 4 && strcmp(argv[4], "heic") == 0;
    if (heic ? fl_encode_heic(pixels, width, height, 80, NULL, 0, &out, &length) != 0
             : fl_encode_jpeg(pixels, width, height, 1, 92, NULL, 0, &out, &length) != 0) return 1;
    fwrite(out, 1, length, stdout);
    return 0;
}
