// Area-averaging downscale (private to CImageKit): source rows are added into output cells as
// they stream by, so a decoder never holds more than a row of the source.
#ifndef FL_SCALER_H
#define FL_SCALER_H

#include "fl_image.h"

typedef struct {
    int source_width, source_height, width, height;
    unsigned long long *sums;
    unsigned int *counts;
} box_scaler;

/// Prepares cells for a `source_width` × `source_height` image, at most `max_side` a side. 0 on success.
int scaler_init(box_scaler *s, int source_width, int source_height, int max_side);
/// Adds source row `y` (one byte per pixel).
void scaler_add_row(box_scaler *s, int y, const unsigned char *row);
/// Writes the averaged cells into `out` (pixels, width, height). 0 on success.
int scaler_finish(box_scaler *s, fl_gray_image *out);
void scaler_free(box_scaler *s);

#endif
