#include "HostControl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "HostClock.h"
#include "HostSerial.h"

namespace host {

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
};

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

void usage(const char* argv0) {
  printf("usage: %s [--gateway HOST:PORT] [--clock-start MS] [--speed X] [--readings N]\n"
         "          [--wifi-up-after MS] [--drop-at MS,...] [--lose-line N,...] [--refuse]\n"
         "          [--exit-on-stdin-eof]\n"
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
    clockAdvanceMs(static_cast<uint32_t>(strtoul(arg, nullptr, 10)));
    printf("host: clock advanced by %s ms\n", arg);
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
  const char* v;
  if ((v = option(argc, argv, "--gateway", "SHEETLOG_HOST_GATEWAY")) != nullptr && !setGateway(v)) {
    fprintf(stderr, "host: bad --gateway %s (want HOST:PORT)\n", v);
    exit(2);
  }
  uint32_t start = 0;
  double speed = 1.0;
  if ((v = option(argc, argv, "--clock-start", "SHEETLOG_HOST_CLOCK_START")) != nullptr) {
    start = static_cast<uint32_t>(strtoul(v, nullptr, 10));
  }
  if ((v = option(argc, argv, "--speed", "SHEETLOG_HOST_SPEED")) != nullptr) speed = strtod(v, nullptr);
  if ((v = option(argc, argv, "--readings", "SHEETLOG_HOST_READINGS")) != nullptr) {
    c.readingLimit = static_cast<uint32_t>(strtoul(v, nullptr, 10));
  }
  if ((v = option(argc, argv, "--wifi-up-after", "SHEETLOG_HOST_WIFI_UP_AFTER")) != nullptr) {
    c.wifiUpAfterMs = static_cast<uint32_t>(strtoul(v, nullptr, 10));
  }
  if ((v = option(argc, argv, "--drop-at", "SHEETLOG_HOST_DROP_AT")) != nullptr) parseList(v, c.dropAtMs);
  if ((v = option(argc, argv, "--lose-line", "SHEETLOG_HOST_LOSE_LINE")) != nullptr) parseList(v, c.loseLines);
  c.refuse = option(argc, argv, "--refuse", "SHEETLOG_HOST_REFUSE") != nullptr;
  c.exitOnEof = option(argc, argv, "--exit-on-stdin-eof", "SHEETLOG_HOST_EXIT_ON_EOF") != nullptr;
  fcntl(STDIN_FILENO, F_SETFL, fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);
  clockStart(start, speed);
  printf("host: clock start=%u speed=%g epoch=%lld\n", start, clockSpeed(),
         static_cast<long long>(clockEpochAtStartMs()));
  fflush(stdout);
}

void service() {
  pollStdin();
  Control& c = ctl();
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
