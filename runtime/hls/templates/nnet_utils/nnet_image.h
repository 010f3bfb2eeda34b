// mmlc layer-template library: nearest-neighbour upsampling as hls4ml's nnet_image.h /
// nnet_image_stream.h (resize_nearest), channels last, for arrays (io_parallel) and for streams of
// per-pixel packets (io_stream). A copy: one data_T for input and result.
#ifndef NNET_IMAGE_H_
#define NNET_IMAGE_H_

#include "hls_stream.h"
#include "nnet_common.h"

namespace nnet {

struct resize_config {
  static const unsigned height = 10, width = 10, n_chan = 10;
  static const unsigned new_height = 10, new_width = 10;
};

// The array form: output pixel (i, j) is input pixel (i / ratio_height, j / ratio_width). hls4ml's
// own picks row (i * ((height << 16) / new_height + 1)) >> 16, which is the same for every map
// whose error term stays below one row (NetworkDesc::templateIssues refuses imported projects
// where it is not).
template <class data_T, typename CONFIG_T>
void resize_nearest(data_T image[CONFIG_T::height * CONFIG_T::width * CONFIG_T::n_chan],
                    data_T resized[CONFIG_T::new_height * CONFIG_T::new_width * CONFIG_T::n_chan]) {
  MMLC_HLS_PRAGMA(HLS PIPELINE)
  static_assert(CONFIG_T::new_height % CONFIG_T::height == 0 && CONFIG_T::new_width % CONFIG_T::width == 0,
                "mmlc's resize_nearest needs whole factors");
  const unsigned ratio_height = CONFIG_T::new_height / CONFIG_T::height;
  const unsigned ratio_width = CONFIG_T::new_width / CONFIG_T::width;
  for (unsigned i = 0; i < CONFIG_T::new_height; i++)
    for (unsigned j = 0; j < CONFIG_T::new_width; j++)
      for (unsigned k = 0; k < CONFIG_T::n_chan; k++)
        resized[(i * CONFIG_T::new_width + j) * CONFIG_T::n_chan + k] =
            image[((i / ratio_height) * CONFIG_T::width + j / ratio_width) * CONFIG_T::n_chan + k];
}

// The stream form (whole factors only): one input row is buffered, then written ratio_height
// times with every pixel repeated ratio_width times.
template <class data_T, typename CONFIG_T>
void resize_nearest(hls::stream<data_T>& image, hls::stream<data_T>& resized) {
  static_assert(CONFIG_T::new_height % CONFIG_T::height == 0 && CONFIG_T::new_width % CONFIG_T::width == 0,
                "the stream form of resize_nearest needs whole factors");
  const unsigned ratio_height = CONFIG_T::new_height / CONFIG_T::height;
  const unsigned ratio_width = CONFIG_T::new_width / CONFIG_T::width;
  for (unsigned h = 0; h < CONFIG_T::height; h++) {
    data_T row[CONFIG_T::width];
    MMLC_HLS_PRAGMA(HLS ARRAY_PARTITION variable = row complete dim = 0)
    for (unsigned w = 0; w < CONFIG_T::width; w++) {
      MMLC_HLS_PRAGMA(HLS PIPELINE)
      row[w] = image.read();
    }
    for (unsigned r = 0; r < ratio_height; r++)
      for (unsigned w = 0; w < CONFIG_T::width; w++)
        for (unsigned c = 0; c < ratio_width; c++) {
          MMLC_HLS_PRAGMA(HLS PIPELINE)
          resized.write(row[w]);
        }
  }
}

}  // namespace nnet

#endif
