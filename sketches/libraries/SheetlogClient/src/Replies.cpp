#include "Replies.h"

#include <string.h>

#include "Decimal.h"

namespace sheetlog {

namespace {

// Fields are separated by one or more spaces.
bool space(const char** p) {
  if (**p != ' ') return false;
  while (**p == ' ') ++*p;
  return true;
}

bool atEnd(const char* p) {
  while (*p == ' ') ++p;
  return *p == '\0';
}

// Matches `word` followed by a space or the end of the line.
bool verb(const char** p, const char* word) {
  size_t n = strlen(word);
  if (strncmp(*p, word, n) != 0) return false;
  char next = (*p)[n];
  if (next != ' ' && next != '\0') return false;
  *p += n;
  return true;
}

bool code(const char** p, Reply* out) {
  size_t n = 0;
  while ((*p)[n] != ' ' && (*p)[n] != '\0') ++n;
  if (n == 0) return false;
  size_t keep = n < sizeof out->code - 1 ? n : sizeof out->code - 1;
  memcpy(out->code, *p, keep);
  out->code[keep] = '\0';
  *p += n;
  return true;
}

// An optional ` boot=<u32>` (MQTT replies name the boot). False only when it is malformed.
bool optionalBoot(const char** p, Reply* r) {
  const char* q = *p;
  if (!space(&q) || strncmp(q, "boot=", 5) != 0) return true;
  q += 5;
  if (!parseU32(&q, &r->boot) || (*q != ' ' && *q != '\0')) return false;
  r->hasBoot = true;
  *p = q;
  return true;
}

bool parse(const char* p, Reply* r) {
  if (verb(&p, "HELLO")) {
    r->kind = ReplyKind::HelloOk;
    return space(&p) && verb(&p, "OK") && space(&p) && parseU64(&p, &r->epochMs) && space(&p) &&
           parseU32(&p, &r->seq) && optionalBoot(&p, r) && atEnd(p);
  }
  if (verb(&p, "ACK")) {
    r->kind = ReplyKind::Ack;
    return space(&p) && parseU32(&p, &r->seq) && optionalBoot(&p, r) && atEnd(p);
  }
  if (verb(&p, "NAK")) {
    r->kind = ReplyKind::Nak;
    return space(&p) && parseU32(&p, &r->seq) && space(&p) && code(&p, r) && optionalBoot(&p, r);
  }
  if (verb(&p, "T")) {
    r->kind = ReplyKind::Time;
    return space(&p) && parseU32(&p, &r->millis) && space(&p) && parseU64(&p, &r->epochMs) && atEnd(p);
  }
  if (verb(&p, "BUSY")) {
    r->kind = ReplyKind::Busy;
    return space(&p) && parseU32(&p, &r->millis) && atEnd(p);
  }
  if (verb(&p, "ERR")) {
    r->kind = ReplyKind::Err;
    return space(&p) && code(&p, r);
  }
  if (verb(&p, "PONG")) {
    r->kind = ReplyKind::Pong;
    return atEnd(p);
  }
  if (verb(&p, "BYE")) {
    r->kind = ReplyKind::Bye;
    return atEnd(p);
  }
  return false;
}

bool inList(const char* code, const char* const* list, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (strcmp(code, list[i]) == 0) return true;
  }
  return false;
}

}  // namespace

bool parseReply(const char* line, Reply* out) {
  Reply r;
  memset(&r, 0, sizeof r);
  if (!parse(line, &r)) {
    memset(out, 0, sizeof *out);
    out->kind = ReplyKind::Unknown;
    return false;
  }
  *out = r;
  return true;
}

bool errorCloses(const char* code) {
  static const char* const kClosing[] = {"AUTH_FAILED",     "UNKNOWN_DEVICE",       "REVOKED",
                                         "TOO_MANY_ERRORS", "HELLO_TIMEOUT",        "IDLE_TIMEOUT",
                                         "TAKEN_OVER",      "TOO_MANY_CONNECTIONS", "INTERNAL"};
  return inList(code, kClosing, sizeof kClosing / sizeof kClosing[0]);
}

bool errorIsPermanent(const char* code) {
  static const char* const kPermanent[] = {"AUTH_FAILED", "UNKNOWN_DEVICE", "REVOKED"};
  return inList(code, kPermanent, sizeof kPermanent / sizeof kPermanent[0]);
}

}  // namespace sheetlog
