// mmlc's own stand-in for the vendor hls_stream.h: an unbounded FIFO with the hls::stream
// interface used by io_stream projects in C simulation (the vendor's is used when present).
#ifndef MMLC_HLS_STREAM_H
#define MMLC_HLS_STREAM_H

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <string>

namespace hls {

template <class T>
class stream {
 public:
  stream() {}
  explicit stream(const char* name) : name_(name) {}
  void write(const T& v) { q_.push_back(v); }
  T read() {
    if (q_.empty()) {
      // Reading an empty stream deadlocks in hardware; in C simulation it is a design error.
      std::fprintf(stderr, "hls::stream '%s': read while empty\n", name_.c_str());
      std::abort();
    }
    T v = q_.front();
    q_.pop_front();
    return v;
  }
  void read(T& v) { v = read(); }
  bool empty() const { return q_.empty(); }
  bool full() const { return false; }
  std::size_t size() const { return q_.size(); }
  stream& operator<<(const T& v) {
    write(v);
    return *this;
  }
  stream& operator>>(T& v) {
    read(v);
    return *this;
  }

 private:
  std::deque<T> q_;
  std::string name_;
};

}  // namespace hls

#endif
