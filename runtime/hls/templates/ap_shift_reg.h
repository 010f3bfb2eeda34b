// mmlc stand-in for the vendor's ap_shift_reg.h: the C-simulation model of a shift register
// (hls4ml's io_stream convolutions and pooling keep their line buffers in them).
#ifndef MMLC_AP_SHIFT_REG_H
#define MMLC_AP_SHIFT_REG_H
#include <cassert>

template <typename T, unsigned int Depth = 32>
class ap_shift_reg {
 public:
  ap_shift_reg() {}
  explicit ap_shift_reg(const char*) {}

  // Reads the element at `addr`, then (when enabled) shifts every element one place towards the
  // end and puts `in` at the front.
  T shift(T in, unsigned int addr = Depth - 1, bool enable = true) {
    assert(addr < Depth && "ap_shift_reg: shift address out of range");
    const T out = cells_[addr];
    if (enable) {
      for (unsigned int i = Depth - 1; i > 0; --i) cells_[i] = cells_[i - 1];
      cells_[0] = in;
    }
    return out;
  }
  T read(unsigned int addr = Depth - 1) const {
    assert(addr < Depth && "ap_shift_reg: read address out of range");
    return cells_[addr];
  }

 private:
  T cells_[Depth];
};
#endif
