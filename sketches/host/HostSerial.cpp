#include "HostSerial.h"

#include <stdio.h>

#include "HostControl.h"

HostSerial Serial;

size_t HostSerial::write(uint8_t c) {
  fputc(c, stdout);
  if (c == '\n') {
    fflush(stdout);
    if (!lineOut_.empty() && lineOut_.back() == '\r') lineOut_.pop_back();
    host::onSerialLine(lineOut_.c_str());
    lineOut_.clear();
  } else {
    lineOut_.push_back(static_cast<char>(c));
  }
  return 1;
}

size_t HostSerial::write(const uint8_t* buf, size_t size) {
  for (size_t i = 0; i < size; ++i) write(buf[i]);
  return size;
}

int HostSerial::read() {
  if (rxPos_ >= rx_.size()) return -1;
  int c = static_cast<unsigned char>(rx_[rxPos_++]);
  if (rxPos_ == rx_.size()) {
    rx_.clear();
    rxPos_ = 0;
  }
  return c;
}

int HostSerial::peek() { return rxPos_ < rx_.size() ? static_cast<unsigned char>(rx_[rxPos_]) : -1; }

void HostSerial::flush() { fflush(stdout); }
