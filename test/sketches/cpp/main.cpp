// Runs every registered TEST, or only those named on the command line.
#include "check.h"

namespace check {

namespace {
std::vector<std::string> failures;
}

std::vector<Case>& cases() {
  static std::vector<Case> all;
  return all;
}

void fail(const char* file, int line, const std::string& message) {
  const char* base = strrchr(file, '/');
  std::ostringstream m;
  m << (base ? base + 1 : file) << ":" << line << ": " << message;
  failures.push_back(m.str());
}

}  // namespace check

int main(int argc, char** argv) {
  int failed = 0;
  for (const check::Case& c : check::cases()) {
    bool wanted = argc < 2;
    for (int i = 1; i < argc; ++i) wanted = wanted || strcmp(argv[i], c.name) == 0;
    if (!wanted) continue;
    check::failures.clear();
    c.fn();
    printf("%s %s\n", check::failures.empty() ? "ok" : "not ok", c.name);
    for (const std::string& f : check::failures) printf("  # %s\n", f.c_str());
    if (!check::failures.empty()) ++failed;
  }
  printf("%d failed\n", failed);
  return failed == 0 ? 0 : 1;
}
