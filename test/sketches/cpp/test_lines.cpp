// Line framing, reply parsing, line building, number formatting, field building.
#include "Decimal.h"
#include "FieldWriter.h"
#include "LineReader.h"
#include "Lines.h"
#include "Reading.h"
#include "Replies.h"
#include "check.h"

#include <string>

using namespace sheetlog;

namespace {

std::vector<std::string> feedAll(LineReader& r, const std::vector<std::string>& pieces) {
  std::vector<std::string> lines;
  for (const std::string& p : pieces) {
    for (char c : p) {
      if (r.feed(c)) lines.push_back(r.line());
    }
  }
  return lines;
}

}  // namespace

TEST(linereader_joins_lines_split_across_reads) {
  LineBuffer<64> r;
  std::vector<std::string> lines = feedAll(r, {"AC", "K 5\nAC", "K 6\r", "\nHELLO OK 17", "95232400140 0\n"});
  CHECK_EQ(lines.size(), 3u);
  if (lines.size() == 3) {
    CHECK_STR(lines[0].c_str(), "ACK 5");
    CHECK_STR(lines[1].c_str(), "ACK 6");  // \r\n accepted
    CHECK_STR(lines[2].c_str(), "HELLO OK 1795232400140 0");
  }
}

TEST(linereader_skips_empty_lines_and_discards_overlong_ones) {
  LineBuffer<16> r;
  std::string longLine(40, 'x');
  std::vector<std::string> lines = feedAll(r, {"\n\r\n", longLine, "\nACK 9\n", std::string(16, 'y'), "\n"});
  CHECK_EQ(lines.size(), 1u);  // 16 chars do not fit with their NUL either
  if (!lines.empty()) CHECK_STR(lines[0].c_str(), "ACK 9");
  CHECK_EQ(r.overlongLines(), 2u);
  std::vector<std::string> more = feedAll(r, {std::string(15, 'z'), "\n"});
  CHECK_EQ(more.size(), 1u);  // 15 chars + NUL = 16: fits exactly
}

TEST(replies_parse_every_kind) {
  Reply r;
  CHECK(parseReply("HELLO OK 1795232400140 42", &r));
  CHECK(r.kind == ReplyKind::HelloOk);
  CHECK_EQ(r.epochMs, 1795232400140ULL);
  CHECK_EQ(r.seq, 42u);
  CHECK(parseReply("ACK 4294967295", &r) && r.kind == ReplyKind::Ack && r.seq == 4294967295u);
  CHECK(parseReply("NAK 4 BAD_VALUE field temp_c: empty value", &r) && r.kind == ReplyKind::Nak);
  CHECK_EQ(r.seq, 4u);
  CHECK_STR(r.code, "BAD_VALUE");
  CHECK(parseReply("T 5021 1795232400123", &r) && r.kind == ReplyKind::Time);
  CHECK_EQ(r.millis, 5021u);
  CHECK_EQ(r.epochMs, 1795232400123ULL);
  CHECK(parseReply("BUSY 5000", &r) && r.kind == ReplyKind::Busy && r.millis == 5000u);
  CHECK(parseReply("ERR AUTH_FAILED wrong token", &r) && r.kind == ReplyKind::Err);
  CHECK_STR(r.code, "AUTH_FAILED");
  CHECK(parseReply("PONG", &r) && r.kind == ReplyKind::Pong);
  CHECK(parseReply("BYE", &r) && r.kind == ReplyKind::Bye);
  CHECK(parseReply("ACK   7", &r) && r.seq == 7u);  // one or more spaces separate fields
}

TEST(replies_over_mqtt_name_their_boot) {
  Reply r;
  CHECK(parseReply("HELLO OK 1795232400140 42 boot=2849101", &r) && r.kind == ReplyKind::HelloOk);
  CHECK(r.hasBoot && r.boot == 2849101u && r.seq == 42u && r.epochMs == 1795232400140ULL);
  CHECK(parseReply("ACK 5 boot=4294967295", &r) && r.kind == ReplyKind::Ack && r.hasBoot && r.boot == 4294967295u && r.seq == 5u);
  CHECK(parseReply("NAK 4 BAD_VALUE boot=9 field temp_c: empty value", &r) && r.kind == ReplyKind::Nak);
  CHECK(r.hasBoot && r.boot == 9u && r.seq == 4u);
  CHECK_STR(r.code, "BAD_VALUE");
  CHECK(parseReply("ACK 5", &r) && !r.hasBoot);  // TCP: no boot
  CHECK(parseReply("NAK 4 BAD_TS bootstrap text", &r) && !r.hasBoot);
  const char* bad[] = {"ACK 5 boot=", "ACK 5 boot=x", "ACK 5 boot=9 more", "HELLO OK 1 2 boot=4294967296", "NAK 4 BAD_TS boot=9x"};
  for (const char* line : bad) {
    if (parseReply(line, &r)) check::fail(__FILE__, __LINE__, std::string("accepted: ") + line);
  }
}

TEST(replies_reject_malformed_and_unknown_lines) {
  Reply r;
  const char* bad[] = {"ACK",          "ACK x",          "ACK 4294967296", "ACK 5 6",   "ACKS 5",
                       "HELLO OK 17",  "HELLO NO 1 2",   "T 5",            "BUSY",      "NAK 5",
                       "ERR",          "ack 5",          "PONG now",       "WHAT 1",    ""};
  for (const char* line : bad) {
    bool ok = parseReply(line, &r);
    if (ok) check::fail(__FILE__, __LINE__, std::string("accepted: ") + line);
    CHECK(r.kind == ReplyKind::Unknown);
  }
  CHECK(errorCloses("TAKEN_OVER"));
  CHECK(!errorCloses("UNKNOWN_VERB"));
  CHECK(errorIsPermanent("REVOKED"));
  CHECK(!errorIsPermanent("IDLE_TIMEOUT"));
}

TEST(lines_build_hello_reading_time_and_ping) {
  char out[kMaxLineLength];
  HelloInfo h = {"kitchen-1", "s3cr3t-t0ken", 2849101u, 5040u, "1.0.0", "esp8266", nullptr, 0u, false};
  size_t n = buildHello(out, sizeof out, h);
  CHECK_EQ(n, strlen(out));
  CHECK_STR(out, "HELLO kitchen-1 s3cr3t-t0ken boot=2849101 up=5040 fw=1.0.0 board=esp8266\n");
  HelloInfo reset = {"k", "t", 1u, 2u, nullptr, nullptr, "watchdog", 3u, true};
  buildHello(out, sizeof out, reset);
  CHECK_STR(out, "HELLO k t boot=1 up=2 reset=watchdog missed=3\n");
  // The longest HELLO the protocol allows still fits a line.
  std::string id(64, 'i'), token(128, 't'), word(32, 'w');
  HelloInfo longest = {id.c_str(), token.c_str(), 4294967295u, 4294967295u, word.c_str(), word.c_str(), "software", 4294967295u, true};
  CHECK(buildHello(out, sizeof out, longest) > 0);
  HelloInfo bare = {"a", "b", 4294967295u, 0u, nullptr, "", nullptr, 0u, false};
  buildHello(out, sizeof out, bare);
  CHECK_STR(out, "HELLO a b boot=4294967295 up=0\n");
  buildReading(out, sizeof out, 1, false, 0, 4294967295u, "temp_c=21.5 humidity=40");
  CHECK_STR(out, "R 1 u4294967295 temp_c=21.5 humidity=40\n");
  buildReading(out, sizeof out, 3, true, 1795232400000ULL, 0, "temp_c=21.7");
  CHECK_STR(out, "R 3 1795232400000 temp_c=21.7\n");
  buildTimeRequest(out, sizeof out, 5021, false, 0, 0);
  CHECK_STR(out, "T 5021\n");
  buildTimeRequest(out, sizeof out, 7, true, 12, -1795232400123LL);
  CHECK_STR(out, "T 7 rtt=12 off=-1795232400123\n");
  CHECK_EQ(buildPing(out, sizeof out), 5u);
  CHECK_STR(out, "PING\n");
}

TEST(lines_never_return_a_partial_line) {
  char small[12];
  CHECK_EQ(buildReading(small, sizeof small, 1, false, 0, 5, "temp_c=21.5"), 0u);
  CHECK_STR(small, "");
  CHECK_EQ(buildTimeRequest(small, sizeof small, 5021, false, 0, 0), 7u);  // "T 5021\n" fits
}

TEST(decimal_formats_64_bit_values_without_printf) {
  char b[24];
  CHECK_EQ(formatU64(b, sizeof b, 18446744073709551615ULL), 20u);
  CHECK_STR(b, "18446744073709551615");
  formatU64(b, sizeof b, 0);
  CHECK_STR(b, "0");
  formatI64(b, sizeof b, -9223372036854775807LL - 1);
  CHECK_STR(b, "-9223372036854775808");
  formatI64(b, sizeof b, 1795232400123LL);
  CHECK_STR(b, "1795232400123");
  CHECK_EQ(formatU64(b, 3, 1234), 0u);  // does not fit: empty, length 0
  CHECK_STR(b, "");
}

TEST(decimal_formats_fixed_point_and_floats) {
  char b[24];
  formatScaled(b, sizeof b, 12345, 3);
  CHECK_STR(b, "12.345");
  formatScaled(b, sizeof b, -5, 2);
  CHECK_STR(b, "-0.05");
  formatScaled(b, sizeof b, 7, 0);
  CHECK_STR(b, "7");
  formatFixed(b, sizeof b, 21.473f, 2);
  CHECK_STR(b, "21.47");
  formatFixed(b, sizeof b, -3.14159f, 3);
  CHECK_STR(b, "-3.142");
  formatFixed(b, sizeof b, 0.125f, 2);  // exactly representable: rounds half away from zero
  CHECK_STR(b, "0.13");
  formatFixed(b, sizeof b, -0.125f, 2);
  CHECK_STR(b, "-0.13");
  formatFixed(b, sizeof b, 99.996f, 2);
  CHECK_STR(b, "100.00");
  float zero = 0.0f;
  CHECK_EQ(formatFixed(b, sizeof b, zero / zero, 2), 0u);  // NaN is not a protocol number
  CHECK_EQ(formatFixed(b, sizeof b, 1.0f / zero, 2), 0u);
}

TEST(decimal_parses_u32_and_u64) {
  const char* p = "4294967295 rest";
  uint32_t v = 0;
  CHECK(parseU32(&p, &v));
  CHECK_EQ(v, 4294967295u);
  CHECK_STR(p, " rest");
  p = "4294967296";
  CHECK(!parseU32(&p, &v));
  p = "18446744073709551616";
  uint64_t w = 0;
  CHECK(!parseU64(&p, &w));
  p = "x";
  CHECK(!parseU64(&p, &w));
}

TEST(fieldwriter_builds_protocol_fields) {
  char f[kFieldsCapacity];
  FieldWriter w(f, sizeof f);
  w.addFixed("temp_c", 21.473f, 2).addMilli("energy_wh", 12345).addInt("rssi", -61).addBool("door", false);
  CHECK(w.ok());
  CHECK_STR(f, "temp_c=21.47 energy_wh=12.345 rssi=-61 door=false");
  FieldWriter t(f, sizeof f);
  t.addText("note", "say \"hi\" \\o/").addUInt("n", 4294967295u);
  CHECK(t.ok());
  CHECK_STR(f, "note=\"say \\\"hi\\\" \\\\o/\" n=4294967295");
}

TEST(fieldwriter_goes_bad_instead_of_sending_half_a_reading) {
  char f[kFieldsCapacity];
  FieldWriter bad(f, sizeof f);
  bad.addInt("1st", 1);  // names start with a letter or _
  CHECK(!bad.ok());
  float zero = 0.0f;
  FieldWriter nan(f, sizeof f);
  nan.addFixed("t", zero / zero, 1);
  CHECK(!nan.ok());
  FieldWriter full(f, 16);
  full.addInt("aaaa", 1).addInt("bbbb", 2).addInt("cccc", 3);  // 20 chars do not fit in 16
  CHECK(!full.ok());
  FieldWriter line(f, sizeof f);
  line.addText("s", "two\nlines");
  CHECK(!line.ok());
  FieldWriter empty(f, sizeof f);
  CHECK(!empty.ok());  // a reading needs at least one field
  CHECK(validFieldName("_x.y-z9"));
  CHECK(!validFieldName("a b"));
  CHECK(!validFieldName("abcdefghijklmnopqrstuvwxyz0123456"));  // 33 chars
}
