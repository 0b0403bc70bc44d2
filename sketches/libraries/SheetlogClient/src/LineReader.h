// Reassembles `\n`-terminated lines from bytes that arrive in arbitrary pieces (a TCP read can
// end in the middle of "ACK 12"). A `\r` before the `\n` is removed; empty lines are skipped.
// A line longer than the buffer is discarded up to its `\n` and counted, never returned cut short:
// half a reply could parse as a different one.
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace sheetlog {

class LineReader {
 public:
  LineReader(char* buf, uint16_t capacity) : buf_(buf), capacity_(capacity) {}

  // Feeds one byte. Returns true when a complete line is ready in line(); it stays valid until
  // the next call.
  bool feed(char c);

  const char* line() const { return buf_; }
  uint16_t length() const { return len_; }
  uint32_t overlongLines() const { return overlong_; }
  void reset() { len_ = 0; discarding_ = false; ready_ = false; }

 private:
  char* buf_;
  uint16_t capacity_;  // including the NUL
  uint16_t len_ = 0;
  bool discarding_ = false;
  bool ready_ = false;
  uint32_t overlong_ = 0;
};

template <uint16_t Capacity>
class LineBuffer : public LineReader {
 public:
  LineBuffer() : LineReader(storage_, Capacity) {}

 private:
  char storage_[Capacity];
};

}  // namespace sheetlog
