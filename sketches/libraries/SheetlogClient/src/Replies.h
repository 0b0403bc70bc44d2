// Parsing the gateway's replies (docs/PROTOCOL.md section 4). Pure: a line in, a Reply out.
#pragma once
#include <stdint.h>

namespace sheetlog {

// Over MQTT the replies about readings name the boot they belong to (the ack topic outlives a
// boot): HELLO OK and ACK end with ` boot=<b>`, a NAK's text starts with `boot=<b> `.
enum class ReplyKind : uint8_t {
  Unknown,  // not a reply this board understands (ignored, for forward compatibility)
  HelloOk,  // HELLO OK <gateway-epoch-ms> <acked-seq> [boot=<b>]   -> epochMs, seq, boot
  Ack,      // ACK <seq> [boot=<b>]                                 -> seq, boot
  Nak,      // NAK <seq> <code> [boot=<b>] <text>                   -> seq, code, boot
  Time,     // T <device-millis> <gateway-epoch-ms>      -> millis, epochMs
  Busy,     // BUSY <retry-after-ms>                     -> millis
  Err,      // ERR <code> <text>                         -> code
  Pong,
  Bye,
};

struct Reply {
  ReplyKind kind;
  uint32_t seq;
  uint32_t millis;
  uint64_t epochMs;
  bool hasBoot;   // the reply named a boot (MQTT)
  uint32_t boot;
  char code[24];  // NAK/ERR code, truncated if longer (known codes are shorter)
};

// Returns false (kind Unknown) for anything that is not a well-formed known reply.
bool parseReply(const char* line, Reply* out);

// True for ERR codes after which the gateway closes the connection (PROTOCOL.md section 7).
bool errorCloses(const char* code);

// True for ERR codes that will not go away by retrying soon (wrong token, unknown, revoked):
// the board keeps retrying, but at its slowest rate.
bool errorIsPermanent(const char* code);

}  // namespace sheetlog
