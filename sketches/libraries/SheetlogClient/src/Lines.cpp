#include "Lines.h"

#include <stdio.h>
#include <string.h>

#include "Decimal.h"

namespace sheetlog {

namespace {

// Appends text to a line under construction; once something does not fit, the line is void.
class LineAppender {
 public:
  LineAppender(char* out, size_t cap) : out_(out), cap_(cap) {
    if (cap_ > 0) out_[0] = '\0';
  }
  void text(const char* s) {
    size_t n = strlen(s);
    if (!ok_ || len_ + n + 1 > cap_) {
      ok_ = false;
      return;
    }
    memcpy(out_ + len_, s, n + 1);
    len_ += n;
  }
  // 32-bit values go through snprintf with an explicit cast: `%lu` of unsigned long is portable,
  // whereas uint32_t is `unsigned int` on some cores and `unsigned long` on others.
  void u32(uint32_t v) {
    char tmp[11];
    snprintf(tmp, sizeof tmp, "%lu", static_cast<unsigned long>(v));
    text(tmp);
  }
  void u64(uint64_t v) {
    char tmp[21];
    formatU64(tmp, sizeof tmp, v);
    text(tmp);
  }
  void i64(int64_t v) {
    char tmp[21];
    formatI64(tmp, sizeof tmp, v);
    text(tmp);
  }
  size_t finish() {
    text("\n");
    if (!ok_) {
      if (cap_ > 0) out_[0] = '\0';
      return 0;
    }
    return len_;
  }

 private:
  char* out_;
  size_t cap_;
  size_t len_ = 0;
  bool ok_ = true;
};

bool present(const char* s) { return s != nullptr && s[0] != '\0'; }

}  // namespace

size_t buildHello(char* out, size_t cap, const HelloInfo& h) {
  LineAppender a(out, cap);
  a.text("HELLO ");
  a.text(h.deviceId);
  a.text(" ");
  a.text(h.token);
  a.text(" boot=");
  a.u32(h.bootId);
  a.text(" up=");
  a.u32(h.upMs);
  if (present(h.firmware)) {
    a.text(" fw=");
    a.text(h.firmware);
  }
  if (present(h.board)) {
    a.text(" board=");
    a.text(h.board);
  }
  if (present(h.reset)) {
    a.text(" reset=");
    a.text(h.reset);
  }
  if (h.reportMissed) {
    a.text(" missed=");
    a.u32(h.missed);
  }
  return a.finish();
}

size_t buildReading(char* out, size_t cap, uint32_t seq, bool epochKnown, uint64_t epochMs,
                    uint32_t takenMs, const char* fields) {
  LineAppender a(out, cap);
  a.text("R ");
  a.u32(seq);
  if (epochKnown) {
    a.text(" ");
    a.u64(epochMs);
  } else {
    a.text(" u");
    a.u32(takenMs);
  }
  a.text(" ");
  a.text(fields);
  return a.finish();
}

size_t buildTimeRequest(char* out, size_t cap, uint32_t ms, bool report, uint32_t rttMs, int64_t offMs) {
  LineAppender a(out, cap);
  a.text("T ");
  a.u32(ms);
  if (report) {
    a.text(" rtt=");
    a.u32(rttMs);
    a.text(" off=");
    a.i64(offMs);
  }
  return a.finish();
}

size_t buildPing(char* out, size_t cap) {
  LineAppender a(out, cap);
  a.text("PING");
  return a.finish();
}

}  // namespace sheetlog
