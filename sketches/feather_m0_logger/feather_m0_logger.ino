// sheetlog logger for an Adafruit Feather M0 WiFi (ATSAMD21 + ATWINC1500,
// FQBN adafruit:samd:adafruit_feather_m0).
//
// Every SAMPLE_PERIOD_MS it reads a TMP36 temperature sensor on A1 and a simulated energy meter,
// keeps the reading in a RAM ring buffer and streams it to a sheetlog gateway over TCP; a reading
// leaves the buffer only when the gateway acknowledges it as stored. See docs/SKETCHES.md.
//
// What is particular to this board: WiFi101's calls block (begin() until joined or its timeout,
// connect() up to 20 s), so joining is bounded by WIFI_JOIN_TIMEOUT_MS and retried with backoff
// after the reading of the period is taken; the SAMD21's watchdog resets a locked-up radio; the
// buffer sits in .noinit RAM and survives that reset. Serial console: status, pause, resume.
#include <SPI.h>
#include <SheetlogClient.h>
#include <SheetlogExample.h>
#include <WiFi101.h>

#if __has_include("sheetlog_config.h")
#include "sheetlog_config.h"
#else
#include "sheetlog_config.example.h"
#endif

#define FIRMWARE_VERSION "1.1.0"

// 150 readings * 66 bytes (a slot and its checksum) = 9.9 KB of the SAMD21's 32 KB RAM: 25 minutes
// of readings at one per 10 s survive an outage.
static const uint16_t kBufferReadings = 150;

sheetlog::SessionSettings sessionSettings();
sheetlog::LinkSettings linkSettings();
uint32_t bootEntropy();
void keepWiFi(uint32_t now);

class FeatherSensors : public sheetlog::ExampleSensors {
 public:
  // TMP36: 0.5 V at 0 degC, 10 mV per degC; 12-bit ADC on a 3.3 V reference.
  float temperatureC() override {
    float volts = analogRead(A1) * (3.3f / 4095.0f);
    return (volts - 0.5f) * 100.0f;
  }
  bool rssi(int32_t* dbm) override {
    if (WiFi.status() != WL_CONNECTED) return false;
    *dbm = WiFi.RSSI();  // up to 1 s inside WiFi101: within one pass, well under the watchdog
    return true;
  }
};

static sheetlog::RetainedSlots<kBufferReadings> retained SHEETLOG_NOINIT;
static sheetlog::Board board;
static sheetlog::ReadingRing ring(retained.slots, kBufferReadings);
static sheetlog::Retention retention(retained, board.headerStore(&retained.header));
#if GATEWAY_TLS
static WiFiSSLClient net;  // TLS in the ATWINC1500, checked against the roots uploaded to it
#else
static WiFiClient net;
#endif
static sheetlog::SheetlogClient client(net, ring, sessionSettings(), linkSettings());
static sheetlog::ExampleLogger<sheetlog::SheetlogClient> logger(client, board, retention, SAMPLE_PERIOD_MS);
static FeatherSensors sensors;
static sheetlog::Backoff joinBackoff(1000, WIFI_RETRY_MAX_MS);
static sheetlog::Wait joinRetry;  // over at once: join at boot

sheetlog::SessionSettings sessionSettings() {
  sheetlog::SessionSettings s(DEVICE_ID, DEVICE_TOKEN);
  s.firmware = FIRMWARE_VERSION;
  s.board = "feather-m0";
  return s;
}

sheetlog::LinkSettings linkSettings() {
  sheetlog::LinkSettings l(GATEWAY_HOST, GATEWAY_PORT);
  l.backoffBaseMs = BACKOFF_BASE_MS;
  l.backoffMaxMs = BACKOFF_MAX_MS;
  return l;
}

void setup() {
  Serial.begin(115200);
  while (!Serial && millis() < 3000) {
  }  // native USB: give the serial monitor a moment to attach
  Serial.println();
  Serial.println(F("feather_m0_logger " FIRMWARE_VERSION));
  WiFi.setPins(8, 7, 4, 2);  // Feather M0 WiFi: CS, IRQ, RST, EN of the ATWINC1500
  if (WiFi.status() == WL_NO_SHIELD) Serial.println(F("wifi: no ATWINC1500 found"));
  WiFi.setTimeout(WIFI_JOIN_TIMEOUT_MS);  // begin() blocks 60 s by default
  analogReadResolution(12);
  uint32_t boot = bootEntropy();
  randomSeed(boot);
  // connect(): 20 s in WiFi101 for the TCP handshake, 20 s more to resolve a host name.
  client.setBlockingCalls(&board, 41000);
  logger.begin(boot, WATCHDOG_MS);
}

void loop() {
  logger.sample(sensors);  // before keepWiFi(), which blocks
  keepWiFi(millis());
  logger.service(WiFi.status() == WL_CONNECTED);
}

// The SAMD21 has no random number generator: mix the noisy low bits of the analog inputs with
// the microsecond timer, which has run for an unpredictable time (USB enumeration, serial wait).
uint32_t bootEntropy() {
  uint32_t h = 2166136261UL;  // FNV-1a
  for (uint8_t round = 0; round < 16; ++round) {
    for (uint8_t pin = A0; pin <= A5; ++pin) {
      h = (h ^ static_cast<uint32_t>(analogRead(pin))) * 16777619UL;
    }
    h = (h ^ static_cast<uint32_t>(micros())) * 16777619UL;
  }
  return h;
}

// One bounded join attempt per call, right after the period's reading: the next reading is at
// most WIFI_JOIN_TIMEOUT_MS late (never late at all while that is shorter than the period).
void keepWiFi(uint32_t now) {
  if (WiFi.status() == WL_CONNECTED || !joinRetry.over(now)) return;
  Serial.println(F("wifi: joining " WIFI_SSID));
  uint8_t joined;
  {
    sheetlog::BlockingScope scope(&board, WIFI_JOIN_TIMEOUT_MS + 1000);
    joined = WiFi.begin(WIFI_SSID, WIFI_PASSWORD);
  }
  if (joined == WL_CONNECTED) {
    joinBackoff.reset();
    Serial.println(F("wifi: joined"));
    return;
  }
  uint32_t wait = joinBackoff.next(static_cast<uint32_t>(random(0x7FFFFFFFL)));
  joinRetry.start(millis(), wait);
  char line[48];
  snprintf(line, sizeof line, "wifi: not joined, retry in %lu ms", static_cast<unsigned long>(wait));
  Serial.println(line);
}
