#include "HostControl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <string>
#include <vector>

#include <limits.h>
#include <sys/stat.h>

#include "HostClock.h"
#include "HostSerial.h"

namespace host {

// The ESP8266's RTC user memory (512 bytes), kept across emulated resets with the no-init RAM.
uint32_t rtcUserMemory[128] __attribute__((section("sheetlog_noinit")));

namespace {

struct Control {
  std::string gatewayHost;
  uint16_t gatewayPort = 0;
  uint32_t readingLimit = 0;
  bool limitReached = false;
  uint32_t wifiUpAfterMs = 0;
  bool wifiForcedOff = false;
  bool refuse = false;
  std::vector<uint32_t> dropAtMs;  // virtual ms after start, ascending
  size_t nextDrop = 0;
  std::vector<uint32_t> loseLines;  // 1-based numbers of lines written
  uint32_t linesWritten = 0;
  bool exitOnEof = false;
  bool stdinOpen = true;
  std::string stdinLine;
  uint32_t generation = 1;
  uint32_t hangLine = 0;
  bool hangNext = false;
  uint32_t joinMs = 0;
  std::string wincRootsPem;  // the ATWINC1500's root certificate store (--winc-roots)
  uint64_t pendingAdvanceMs = 0;
  uint32_t advanceStepMs = 3600000;
  // the emulated board
  std::vector<std::string> argv;
  uint8_t resetCause = 1;  // power-on
  bool dogOn = false;
  uint32_t dogPeriodMs = 0;
  uint64_t dogFedUs = 0;
  uint32_t dogAllowMs = 0;
  uint64_t dogAllowSinceUs = 0;
};

// The board's no-init RAM in the host build: every SHEETLOG_NOINIT variable, and the ESP8266's
// RTC user memory (ESP8266WiFi.h). The linker names the section's bounds.
extern "C" char __start_sheetlog_noinit[] __attribute__((weak));
extern "C" char __stop_sheetlog_noinit[] __attribute__((weak));

const char* const kCauseNames[] = {"unknown", "power", "brownout", "pin", "watchdog", "software", "crash", "wake"};

uint8_t causeCode(const char* name) {
  for (uint8_t i = 0; i < sizeof kCauseNames / sizeof kCauseNames[0]; ++i) {
    if (strcmp(kCauseNames[i], name) == 0) return i;
  }
  return 0;
}

Control& ctl() {
  static Control c;
  return c;
}

uint32_t sinceStartMs() {
  return static_cast<uint32_t>(clockMicros64() / 1000ULL - clockStartMs());
}

const char* option(int argc, char** argv, const char* flag, const char* env) {
  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], flag) != 0) continue;
    if (i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0) return argv[i + 1];
    return "1";  // a switch without a value
  }
  const char* v = getenv(env);
  return v != nullptr && v[0] != '\0' ? v : nullptr;
}

bool setGateway(const char* spec) {
  const char* colon = strrchr(spec, ':');
  if (colon == nullptr) return false;
  long port = strtol(colon + 1, nullptr, 10);
  if (port <= 0 || port > 65535) return false;
  ctl().gatewayHost.assign(spec, static_cast<size_t>(colon - spec));
  ctl().gatewayPort = static_cast<uint16_t>(port);
  return true;
}

void parseList(const char* list, std::vector<uint32_t>& out) {
  for (const char* p = list; *p != '\0';) {
    char* end = nullptr;
    unsigned long v = strtoul(p, &end, 10);
    if (end == p) break;
    out.push_back(static_cast<uint32_t>(v));
    p = *end == ',' ? end + 1 : end;
  }
}

size_t retainedSize() {
  if (__start_sheetlog_noinit == nullptr || __stop_sheetlog_noinit == nullptr) return 0;
  return static_cast<size_t>(__stop_sheetlog_noinit - __start_sheetlog_noinit);
}

void restoreRetained(const char* path) {
  FILE* f = fopen(path, "rb");
  if (f == nullptr) return;
  size_t want = retainedSize();
  size_t got = want > 0 ? fread(__start_sheetlog_noinit, 1, want, f) : 0;
  fclose(f);
  unlink(path);
  printf("host: retained memory restored (%zu of %zu bytes)\n", got, want);
}

void watchdogCheck() {
  Control& c = ctl();
  if (!c.dogOn) return;
  uint64_t now = clockMicros64();
  if (c.dogAllowMs > 0 && now - c.dogAllowSinceUs < static_cast<uint64_t>(c.dogAllowMs) * 1000ULL) {
    c.dogFedUs = now;  // the SAMD21's early-warning interrupt clears the WDT meanwhile
    return;
  }
  if (now - c.dogFedUs >= static_cast<uint64_t>(c.dogPeriodMs) * 1000ULL) {
    printf("host: watchdog fired (not fed for %u ms)\n", c.dogPeriodMs);
    resetBoard(4);
  }
}

void usage(const char* argv0) {
  printf("usage: %s [--gateway HOST:PORT] [--clock-start MS] [--speed X] [--readings N]\n"
         "          [--wifi-up-after MS] [--drop-at MS,...] [--lose-line N,...] [--refuse]\n"
         "          [--exit-on-stdin-eof] [--hang-line N] [--join-ms MS] [--winc-roots FILE]\n"
         "see sketches/host/HostControl.h for the stdin commands\n",
         argv0);
}

void command(const char* cmd) {
  char arg[128] = "";
  if (strcmp(cmd, "drop") == 0) {
    dropLinks("command");
  } else if (strcmp(cmd, "wifi off") == 0) {
    ctl().wifiForcedOff = true;
    dropLinks("wifi off");
    printf("host: wifi out of range\n");
  } else if (strcmp(cmd, "wifi on") == 0) {
    ctl().wifiForcedOff = false;
    printf("host: wifi in range\n");
  } else if (strcmp(cmd, "refuse on") == 0 || strcmp(cmd, "refuse off") == 0) {
    ctl().refuse = strcmp(cmd, "refuse on") == 0;
    printf("host: connects %s\n", ctl().refuse ? "refused" : "allowed");
  } else if (sscanf(cmd, "gateway %127s", arg) == 1 && setGateway(arg)) {
    printf("host: gateway %s:%u\n", ctl().gatewayHost.c_str(), ctl().gatewayPort);
  } else if (sscanf(cmd, "advance %127s", arg) == 1) {
    ctl().pendingAdvanceMs += strtoull(arg, nullptr, 10);
    unsigned long step = 0;
    if (sscanf(cmd, "advance %*s %lu", &step) == 1 && step > 0) ctl().advanceStepMs = static_cast<uint32_t>(step);
    printf("host: clock advancing by %s ms\n", arg);
  } else if (strcmp(cmd, "hang") == 0) {
    ctl().hangNext = true;
    printf("host: the next line written hangs\n");
  } else if (strcmp(cmd, "power-cycle") == 0) {
    resetBoard(1);
  } else if (strcmp(cmd, "exit") == 0) {
    printf("host: exit\n");
    fflush(stdout);
    exit(0);
  } else {
    printf("host: unknown command: %s\n", cmd);
  }
  fflush(stdout);
}

void stdinLine(const std::string& line) {
  if (line.compare(0, 6, "!host ") == 0) {
    command(line.c_str() + 6);
  } else {
    Serial.inject(line.c_str());
    Serial.inject("\n");
  }
}

void pollStdin() {
  Control& c = ctl();
  if (!c.stdinOpen) return;
  char buf[512];
  for (;;) {
    ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
    if (n > 0) {
      for (ssize_t i = 0; i < n; ++i) {
        if (buf[i] == '\n') {
          stdinLine(c.stdinLine);
          c.stdinLine.clear();
        } else if (buf[i] != '\r') {
          c.stdinLine.push_back(buf[i]);
        }
      }
      continue;
    }
    if (n == 0) {  // EOF
      c.stdinOpen = false;
      if (c.exitOnEof) {
        printf("host: stdin closed, exiting\n");
        fflush(stdout);
        exit(0);
      }
    }
    return;  // EAGAIN or EOF
  }
}

}  // namespace

void configure(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      usage(argv[0]);
      exit(0);
    }
  }
  Control& c = ctl();
  for (int i = 0; i < argc; ++i) c.argv.push_back(argv[i]);
  const char* v;
  bool afterReset = false;
  for (int i = 1; i + 1 < argc; ++i) {
    if (strcmp(argv[i], "--after-reset") == 0) {
      afterReset = true;
      c.resetCause = causeCode(argv[i + 1]);
    } else if (strcmp(argv[i], "--retained") == 0) {
      restoreRetained(argv[i + 1]);
    }
  }
  if ((v = option(argc, argv, "--join-ms", "SHEETLOG_HOST_JOIN_MS")) != nullptr) {
    c.joinMs = static_cast<uint32_t>(strtoul(v, nullptr, 10));
  }
  if ((v = option(argc, argv, "--winc-roots", "SHEETLOG_HOST_WINC_ROOTS")) != nullptr) {
    FILE* f = fopen(v, "rb");
    if (f == nullptr) {
      fprintf(stderr, "host: cannot read --winc-roots %s\n", v);
      exit(2);
    }
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) c.wincRootsPem.append(buf, n);
    fclose(f);
  }
  if ((v = option(argc, argv, "--gateway", "SHEETLOG_HOST_GATEWAY")) != nullptr && !setGateway(v)) {
    fprintf(stderr, "host: bad --gateway %s (want HOST:PORT)\n", v);
    exit(2);
  }
  uint32_t start = 0;
  double speed = 1.0;
  if (!afterReset && (v = option(argc, argv, "--clock-start", "SHEETLOG_HOST_CLOCK_START")) != nullptr) {
    start = static_cast<uint32_t>(strtoul(v, nullptr, 10));
  }
  if ((v = option(argc, argv, "--speed", "SHEETLOG_HOST_SPEED")) != nullptr) speed = strtod(v, nullptr);
  if ((v = option(argc, argv, "--readings", "SHEETLOG_HOST_READINGS")) != nullptr) {
    c.readingLimit = static_cast<uint32_t>(strtoul(v, nullptr, 10));
  }
  if (!afterReset) {
    if ((v = option(argc, argv, "--wifi-up-after", "SHEETLOG_HOST_WIFI_UP_AFTER")) != nullptr) {
      c.wifiUpAfterMs = static_cast<uint32_t>(strtoul(v, nullptr, 10));
    }
    if ((v = option(argc, argv, "--drop-at", "SHEETLOG_HOST_DROP_AT")) != nullptr) parseList(v, c.dropAtMs);
    if ((v = option(argc, argv, "--lose-line", "SHEETLOG_HOST_LOSE_LINE")) != nullptr) parseList(v, c.loseLines);
    if ((v = option(argc, argv, "--hang-line", "SHEETLOG_HOST_HANG_LINE")) != nullptr) {
      c.hangLine = static_cast<uint32_t>(strtoul(v, nullptr, 10));
    }
  }
  c.refuse = option(argc, argv, "--refuse", "SHEETLOG_HOST_REFUSE") != nullptr;
  c.exitOnEof = option(argc, argv, "--exit-on-stdin-eof", "SHEETLOG_HOST_EXIT_ON_EOF") != nullptr;
  fcntl(STDIN_FILENO, F_SETFL, fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);
  clockStart(start, speed);
  printf("host: clock start=%u speed=%g epoch=%lld reset=%s\n", start, clockSpeed(),
         static_cast<long long>(clockEpochAtStartMs()), kCauseNames[c.resetCause]);
  fflush(stdout);
}

void serviceWhileBlocked() {
  pollStdin();
  Control& c = ctl();
  while (c.nextDrop < c.dropAtMs.size() && sinceStartMs() >= c.dropAtMs[c.nextDrop]) {
    ++c.nextDrop;
    dropLinks("scheduled");
  }
  watchdogCheck();
}

// Moves a pending `advance` one step on; returns the step (0: none pending).
static uint32_t advanceStep() {
  Control& c = ctl();
  if (c.pendingAdvanceMs == 0) return 0;
  uint32_t step = c.pendingAdvanceMs > c.advanceStepMs ? c.advanceStepMs : static_cast<uint32_t>(c.pendingAdvanceMs);
  c.pendingAdvanceMs -= step;
  clockAdvanceMs(step);
  if (c.pendingAdvanceMs == 0) {
    printf("host: clock advanced\n");
    fflush(stdout);
  }
  return step;
}

bool advanceWhileBlocked() { return advanceStep() > 0; }

void service() {
  pollStdin();
  Control& c = ctl();
  uint32_t step = advanceStep();
  c.dogFedUs += static_cast<uint64_t>(step) * 1000ULL;  // time the loop ran through, feeding
  c.dogAllowSinceUs += static_cast<uint64_t>(step) * 1000ULL;
  watchdogCheck();
  while (c.nextDrop < c.dropAtMs.size() && sinceStartMs() >= c.dropAtMs[c.nextDrop]) {
    ++c.nextDrop;
    dropLinks("scheduled");
  }
}

bool wifiInRange() { return !ctl().wifiForcedOff && sinceStartMs() >= ctl().wifiUpAfterMs; }
bool connectsRefused() { return ctl().refuse; }
uint32_t linkGeneration() { return ctl().generation; }

void dropLinks(const char* why) {
  ++ctl().generation;
  printf("host: links dropped (%s)\n", why);
  fflush(stdout);
}

uint32_t countLine() { return ctl().linesWritten; }

bool hangThisLine(uint32_t n) {
  Control& c = ctl();
  if (!c.hangNext && (c.hangLine == 0 || c.hangLine != n)) return false;
  c.hangNext = false;
  printf("host: write of line %u hangs\n", n);
  fflush(stdout);
  return true;
}

void watchdogStart(uint32_t periodMs) {
  Control& c = ctl();
  c.dogOn = true;
  c.dogPeriodMs = periodMs;
  c.dogFedUs = clockMicros64();
}

void watchdogFeed() { ctl().dogFedUs = clockMicros64(); }

void watchdogAllow(uint32_t maxMs) {
  ctl().dogAllowMs = maxMs;
  ctl().dogAllowSinceUs = clockMicros64();
  if (maxMs == 0) ctl().dogFedUs = clockMicros64();
}

uint8_t resetCauseCode() { return ctl().resetCause; }
uint32_t joinMs() { return ctl().joinMs; }
const char* wincRootsPem() { return ctl().wincRootsPem.empty() ? nullptr : ctl().wincRootsPem.c_str(); }

void resetBoard(uint8_t cause) {
  Control& c = ctl();
  const char* name = cause < sizeof kCauseNames / sizeof kCauseNames[0] ? kCauseNames[cause] : "unknown";
  printf("host: reset (%s)\n", name);
  fflush(stdout);
  std::vector<std::string> args;
  args.push_back(c.argv.empty() ? std::string("board") : c.argv[0]);
  for (size_t i = 1; i < c.argv.size(); ++i) {
    const std::string& a = c.argv[i];
    if (a == "--after-reset" || a == "--retained" || a == "--clock-start" || a == "--wifi-up-after" ||
        a == "--drop-at" || a == "--lose-line" || a == "--hang-line") {
      ++i;  // and its value
      continue;
    }
    args.push_back(a);
  }
  args.push_back("--after-reset");
  args.push_back(name);
  if (cause != 1 && cause != 2) {  // power-on and brownout lose RAM
    char path[] = "/tmp/sheetlog-retained-XXXXXX";
    int fd = mkstemp(path);
    if (fd >= 0) {
      size_t n = retainedSize();
      ssize_t w = n > 0 ? write(fd, __start_sheetlog_noinit, n) : 0;
      (void)w;
      close(fd);
      args.push_back("--retained");
      args.push_back(path);
    }
  }
  std::vector<char*> raw;
  for (std::string& a : args) raw.push_back(&a[0]);
  raw.push_back(nullptr);
  // stdin is non-blocking (pollStdin); the next run sets it again. Sockets are CLOEXEC: the
  // gateway sees every connection of this run die, as when the chip resets.
  execv("/proc/self/exe", raw.data());
  perror("host: reset failed");
  exit(4);
}

bool loseThisLine() {
  Control& c = ctl();
  uint32_t n = ++c.linesWritten;
  for (uint32_t lose : c.loseLines) {
    if (lose != n) continue;
    printf("host: line %u lost with its link\n", n);
    fflush(stdout);
    return true;
  }
  return false;
}

const char* gatewayHost() { return ctl().gatewayHost.empty() ? nullptr : ctl().gatewayHost.c_str(); }
uint16_t gatewayPort() { return ctl().gatewayPort; }

void onSerialLine(const char* line) {
  Control& c = ctl();
  if (c.readingLimit == 0 || c.limitReached) return;
  unsigned long seq = 0;
  if (sscanf(line, "sample seq=%lu", &seq) != 1 || seq < c.readingLimit) return;
  c.limitReached = true;
  // Typed before the next loop(), which reads the console before sampling: exactly N readings.
  Serial.inject("pause\n");
  printf("host: reading limit %u reached\n", c.readingLimit);
  fflush(stdout);
}

}  // namespace host
