// sheetlog logger for an ESP8266 (NodeMCU 1.0, FQBN esp8266:esp8266:nodemcuv2).
//
// Every SAMPLE_PERIOD_MS it reads a TMP36 temperature sensor on A0 and a simulated energy meter,
// keeps the reading in a RAM ring buffer and streams it to a sheetlog gateway over TCP; a reading
// leaves the buffer only when the gateway acknowledges it as stored. See docs/SKETCHES.md.
//
// What is particular to this board: the core joins Wi-Fi in the background, connect() and
// write() give up after WiFiClient's timeout, the core's own watchdog resets a stuck loop, and the
// buffer's header sits in RTC user memory. Serial console (115200 baud): status, pause, resume.
#include <ESP8266WiFi.h>
#include <SheetlogClient.h>
#include <SheetlogExample.h>

#if __has_include("sheetlog_config.h")
#include "sheetlog_config.h"
#else
#include "sheetlog_config.example.h"
#endif

#define FIRMWARE_VERSION "1.1.0"

// 200 readings * 66 bytes (a slot and its checksum) = 13.2 KB of RAM: 33 minutes of readings at
// one per 10 s survive a gateway or Wi-Fi outage, and the heap starts at 33 KB for Wi-Fi/TCP
// (measured: docs/SKETCHES.md, RAM; with GATEWAY_TLS 1, BearSSL takes about 12.5 KB of that).
static const uint16_t kBufferReadings = 200;

sheetlog::SessionSettings sessionSettings();
sheetlog::LinkSettings linkSettings();

class NodeMcuSensors : public sheetlog::ExampleSensors {
 public:
  // TMP36: 0.5 V at 0 degC, 10 mV per degC. The NodeMCU's divider maps 0-3.3 V onto A0's 0-1023.
  float temperatureC() override {
    float volts = analogRead(A0) * (3.3f / 1023.0f);
    return (volts - 0.5f) * 100.0f;
  }
  bool rssi(int32_t* dbm) override {
    if (WiFi.status() != WL_CONNECTED) return false;
    *dbm = WiFi.RSSI();
    return true;
  }
};

static sheetlog::RetainedSlots<kBufferReadings> retained SHEETLOG_NOINIT;
static sheetlog::Board board;
static sheetlog::ReadingRing ring(retained.slots, kBufferReadings);
static sheetlog::Retention retention(retained, board.headerStore(&retained.header));
#if GATEWAY_TLS
#include <SheetlogTls.h>
static sheetlog::GatewayTlsClient net(SHEETLOG_TLS_SETTINGS);
#else
static WiFiClient net;
#endif
static sheetlog::SheetlogClient client(net, ring, sessionSettings(), linkSettings());
static sheetlog::ExampleLogger<sheetlog::SheetlogClient> logger(client, board, retention, SAMPLE_PERIOD_MS);
static NodeMcuSensors sensors;

sheetlog::SessionSettings sessionSettings() {
  sheetlog::SessionSettings s(DEVICE_ID, DEVICE_TOKEN);
  s.firmware = FIRMWARE_VERSION;
  s.board = "esp8266";
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
  Serial.println();
  Serial.println(F("esp8266_logger " FIRMWARE_VERSION));
  WiFi.persistent(false);  // do not rewrite the flash with the credentials on every boot
  WiFi.mode(WIFI_STA);
  WiFi.setAutoReconnect(true);
  WiFi.begin(WIFI_SSID, WIFI_PASSWORD);  // returns at once; the core joins in the background
  WiFiClient::setDefaultNoDelay(true);  // no Nagle delay: T round trips measure the network only
  net.setTimeout(NET_TIMEOUT_MS);  // connect() and write() give up after this
#if GATEWAY_TLS
  net.begin(&Serial);
#ifdef TLS_CA
  configTime(0, 0, SNTP_SERVER);  // the certificate's dates are checked: connects wait for the time
#endif
#endif
  logger.begin(ESP.random(), WATCHDOG_MS);  // hardware random number: a new boot id at every power-up
}

void loop() {
  logger.sample(sensors);
  logger.service(WiFi.status() == WL_CONNECTED);
}
