// The area-averaging downscale shared by the decoders (fl_image.c, fl_heif.c).
#include "fl_scaler.h"

#include <stdlib.h>

int scaler_init(box_scaler *s, int source_width, int source_height, int max_side) {
    s->source_width = source_width;
    s->source_height = source_height;
    int longer = source_width > source_height ? source_width : source_height;
    if (longer <= max_side) {
        s->width = source_width;
        s->height = source_height;
    } else {
        s->width = (int)((long long)source_width * max_side / longer);
        s->height = (int)((long long)source_height * max_side / longer);
        if (s->width < 1) s->width = 1;
        if (s->height < 1) s->height = 1;
    }
    s->sums = calloc((size_t)s->width * s->height, sizeof *s->sums);
    s->counts = calloc((size_t)s->width * s->height, sizeof *s->counts);
    return s->sums && s->counts ? 0 : -1;
}

void scaler_add_row(box_scaler *s, int y, const unsigned char *row) {
    int cell_row = (int)((long long)y * s->height / s->source_height);
    unsigned long long *sums = s->sums + (size_t)cell_row * s->width;
    unsigned int *counts = s->counts + (size_t)cell_row * s->width;
    for (int x = 0; x < s->source_width; x++) {
        int cell = (int)((long long)x * s->width / s->source_width);
        sums[cell] += row[x];
        counts[cell] += 1;
    }
}

int scaler_finish(box_scaler *s, fl_gray_image *out) {
    size_t n = (size_t)s->width * s->height;
    out->pixels = malloc(n);
    if (!out->pixels) return -1;
    for (size_t i = 0; i < n; i++) out->pixels[i] = (unsigned char)(s->counts[i] ? s->sums[i] / s->counts[i] : 0);
    out->width = s->width;
    out->height = s->height;
    return 0;
}

void scaler_free(box_scaler *s) {
    free(s->sums);
    free(s->counts);
    s->sums = NULL;
    s->counts = NULL;
}

