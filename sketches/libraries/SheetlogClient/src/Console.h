// Line commands typed on the serial monitor ("status", "pause", "resume"). Reads what is
// available without waiting and returns a complete line when one is there.
#pragma once
#include <Arduino.h>
#include <Stream.h>

#include "LineReader.h"

namespace sheetlog {

class Console {
 public:
  explicit Console(Stream& in) : in_(in) {}

  // The next complete command line, or nullptr. Valid until the next call.
  const char* poll() {
    while (in_.available() > 0) {
      int c = in_.read();
      if (c < 0) break;
      if (line_.feed(static_cast<char>(c))) return line_.line();
    }
    return nullptr;
  }

 private:
  Stream& in_;
  LineBuffer<32> line_;
};

}  // namespace sheetlog
