// Building the lines a board sends (docs/PROTOCOL.md section 2). Each builder writes a complete
// line including its trailing "\n" and returns its length, or 0 when it does not fit in `cap`
// (nothing partial is ever sent).
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace sheetlog {

// Longest line a board builds: HELLO with a 64-char id, a 128-char token, 32-char fw= and board=
// values, reset= and missed= (6 + 64 + 1 + 128 + 16 + 14 + 36 + 39 + 16 + 18 + 1 = 339).
static const size_t kMaxLineLength = 352;

struct HelloInfo {
  const char* deviceId;
  const char* token;
  uint32_t bootId;
  uint32_t upMs;          // millis() when the line is written
  const char* firmware;   // optional (nullptr or "")
  const char* board;      // optional
  const char* reset;      // optional: why the board last (re)started (ResetCause.h)
  uint32_t missed;        // samples missed this boot, sent when reportMissed
  bool reportMissed;
};

size_t buildHello(char* out, size_t cap, const HelloInfo& hello);

// `R <seq> <ts> <fields>`: ts is epoch ms when `epochKnown`, otherwise `u<takenMs>`.
size_t buildReading(char* out, size_t cap, uint32_t seq, bool epochKnown, uint64_t epochMs,
                    uint32_t takenMs, const char* fields);

// `T <ms>`, plus ` rtt=<r> off=<o>` when the board has an estimate to report.
size_t buildTimeRequest(char* out, size_t cap, uint32_t ms, bool report, uint32_t rttMs, int64_t offMs);

size_t buildPing(char* out, size_t cap);

}  // namespace sheetlog
