// A minimal test framework for the SheetlogClient library's C++ unit tests (no dependencies).
// TEST(name) registers a case; CHECK/CHECK_EQ record failures and continue. The runner prints
// "ok <name>" or "not ok <name>" followed by "  # file:line: message" lines; unit.test.ts turns
// each case into a node:test subtest.
#pragma once
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sstream>
#include <string>
#include <vector>

namespace check {

struct Case {
  const char* name;
  void (*fn)();
};

std::vector<Case>& cases();
void fail(const char* file, int line, const std::string& message);

struct Registrar {
  Registrar(const char* name, void (*fn)()) { cases().push_back({name, fn}); }
};

template <typename A, typename B>
void expectEqual(const A& a, const B& b, const char* as, const char* bs, const char* file, int line) {
  if (a == b) return;
  std::ostringstream m;
  m << as << " == " << bs << " (got " << +a << " vs " << +b << ")";
  fail(file, line, m.str());
}

inline void expectStr(const char* a, const char* b, const char* as, const char* file, int line) {
  if (a != nullptr && b != nullptr && strcmp(a, b) == 0) return;
  std::ostringstream m;
  m << as << ": got \"" << (a ? a : "(null)") << "\", want \"" << (b ? b : "(null)") << "\"";
  fail(file, line, m.str());
}

}  // namespace check

#define TEST(name)                                              \
  static void name();                                           \
  static check::Registrar name##_registrar(#name, name);        \
  static void name()

#define CHECK(cond) \
  ((cond) ? (void)0 : check::fail(__FILE__, __LINE__, "CHECK(" #cond ")"))
#define CHECK_EQ(a, b) check::expectEqual((a), (b), #a, #b, __FILE__, __LINE__)
#define CHECK_STR(a, b) check::expectStr((a), (b), #a, __FILE__, __LINE__)
