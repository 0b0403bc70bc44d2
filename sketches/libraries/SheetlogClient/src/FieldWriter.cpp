#include "FieldWriter.h"

#include <stdio.h>
#include <string.h>

#include "Decimal.h"

namespace sheetlog {

namespace {

bool alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

bool validFieldName(const char* name) {
  if (name == nullptr || !(alpha(name[0]) || name[0] == '_')) return false;
  size_t n = 1;
  for (; name[n] != '\0'; ++n) {
    char c = name[n];
    if (n >= 32 || !(alpha(c) || digit(c) || c == '_' || c == '.' || c == '-')) return false;
  }
  return true;
}

FieldWriter::FieldWriter(char* buf, size_t cap) : buf_(buf), cap_(cap), ok_(cap > 0) {
  if (cap_ > 0) buf_[0] = '\0';
}

void FieldWriter::append(const char* s, size_t n) {
  if (!ok_ || len_ + n + 1 > cap_) {
    ok_ = false;
    return;
  }
  memcpy(buf_ + len_, s, n);
  len_ += n;
  buf_[len_] = '\0';
}

bool FieldWriter::beginField(const char* name) {
  if (!validFieldName(name)) ok_ = false;
  if (!ok_) return false;
  if (len_ > 0) append(" ", 1);
  append(name, strlen(name));
  append("=", 1);
  return ok_;
}

void FieldWriter::appendValue(const char* s, size_t n) {
  if (n == 0) ok_ = false;  // the formatter failed (no room, NaN ...)
  append(s, n);
}

FieldWriter& FieldWriter::addInt(const char* name, int32_t value) {
  if (!beginField(name)) return *this;
  char tmp[12];
  int n = snprintf(tmp, sizeof tmp, "%ld", static_cast<long>(value));
  appendValue(tmp, n > 0 ? static_cast<size_t>(n) : 0);
  return *this;
}

FieldWriter& FieldWriter::addUInt(const char* name, uint32_t value) {
  if (!beginField(name)) return *this;
  char tmp[12];
  int n = snprintf(tmp, sizeof tmp, "%lu", static_cast<unsigned long>(value));
  appendValue(tmp, n > 0 ? static_cast<size_t>(n) : 0);
  return *this;
}

FieldWriter& FieldWriter::addFixed(const char* name, float value, uint8_t decimals) {
  if (!beginField(name)) return *this;
  char tmp[24];
  appendValue(tmp, formatFixed(tmp, sizeof tmp, value, decimals));
  return *this;
}

FieldWriter& FieldWriter::addMilli(const char* name, int64_t thousandths) {
  if (!beginField(name)) return *this;
  char tmp[24];
  appendValue(tmp, formatScaled(tmp, sizeof tmp, thousandths, 3));
  return *this;
}

FieldWriter& FieldWriter::addBool(const char* name, bool value) {
  if (!beginField(name)) return *this;
  appendValue(value ? "true" : "false", value ? 4 : 5);
  return *this;
}

FieldWriter& FieldWriter::addText(const char* name, const char* value) {
  if (!beginField(name)) return *this;
  append("\"", 1);
  size_t inside = 0;
  for (const char* p = value; *p != '\0' && ok_; ++p) {
    if (*p == '\n' || *p == '\r') ok_ = false;  // would end the line early
    if (*p == '"' || *p == '\\') {
      append("\\", 1);
      ++inside;
    }
    append(p, 1);
    ++inside;
  }
  if (inside > 200) ok_ = false;  // the protocol's limit for a string value
  append("\"", 1);
  return *this;
}

}  // namespace sheetlog
