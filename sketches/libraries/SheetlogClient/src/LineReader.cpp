#include "LineReader.h"

namespace sheetlog {

bool LineReader::feed(char c) {
  if (ready_) {  // the previous line was handed out: start a new one
    ready_ = false;
    len_ = 0;
  }
  if (c == '\n') {
    if (discarding_) {
      discarding_ = false;
      len_ = 0;
      return false;
    }
    if (len_ > 0 && buf_[len_ - 1] == '\r') --len_;
    buf_[len_] = '\0';
    if (len_ == 0) return false;
    ready_ = true;
    return true;
  }
  if (discarding_) return false;
  if (len_ + 1 >= capacity_) {
    discarding_ = true;
    ++overlong_;
    len_ = 0;
    return false;
  }
  buf_[len_++] = c;
  return false;
}

}  // namespace sheetlog
