// Builds the `name=value name=value` part of a reading into a fixed buffer, without String or
// float printf. If anything does not fit or is not a valid protocol value (NaN, a bad name), the
// writer goes sticky-bad: ok() is false and the reading should be skipped, not sent half-built.
//
//   char fields[sheetlog::kFieldsCapacity];
//   sheetlog::FieldWriter w(fields, sizeof fields);
//   w.addFixed("temp_c", 21.473f, 2).addMilli("energy_wh", 12345).addInt("rssi", -61);
//   if (w.ok()) client.add(fields);     // "temp_c=21.47 energy_wh=12.345 rssi=-61"
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace sheetlog {

class FieldWriter {
 public:
  FieldWriter(char* buf, size_t cap);

  FieldWriter& addInt(const char* name, int32_t value);
  FieldWriter& addUInt(const char* name, uint32_t value);
  FieldWriter& addFixed(const char* name, float value, uint8_t decimals);
  // An integer count of thousandths shown with three decimals: 12345 -> "12.345".
  FieldWriter& addMilli(const char* name, int64_t thousandths);
  FieldWriter& addBool(const char* name, bool value);
  // A quoted string; `"` and `\` are escaped.
  FieldWriter& addText(const char* name, const char* value);

  bool ok() const { return ok_ && len_ > 0; }
  const char* c_str() const { return buf_; }
  size_t length() const { return len_; }

 private:
  bool beginField(const char* name);
  void append(const char* s, size_t n);
  void appendValue(const char* s, size_t n);

  char* buf_;
  size_t cap_;
  size_t len_ = 0;
  bool ok_;
};

// The protocol's field-name rule: ( ALPHA / "_" ) then up to 31 of ALPHA, DIGIT, "_", ".", "-".
bool validFieldName(const char* name);

}  // namespace sheetlog
