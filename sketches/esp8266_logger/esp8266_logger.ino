// sheetlog logger for an ESP8266 (NodeMCU 1.0, FQBN esp8266:esp8266:nodemcuv2).
//
// Every SAMPLE_PERIOD_MS it reads a TMP36 temperature sensor on A0 and a simulated energy meter,
// keeps the reading in a RAM ring buffer and streams it to a sheetlog gateway over TCP; a reading
// leaves the buffer only when the gateway acknowledges it as stored. See docs/SKETCHES.md.
//
// Serial console (115200 baud): `status`, `pause`, `resume`.
#include <ESP8266WiFi.h>
#include <SheetlogClient.h>

#if __has_include("config.h")
#include "config.h"
#else
#include "config.example.h"
#endif

#define FIRMWARE_VERSION "1.0.0"

// 200 readings * 64 bytes = 12.8 KB of RAM: 33 minutes of readings at one per 10 s survive a
// gateway or Wi-Fi outage, and about 25 KB of the ESP8266's ~40 KB heap stays free for Wi-Fi/TCP.
static const uint16_t kBufferReadings = 200;

sheetlog::SessionSettings sessionSettings();
sheetlog::LinkSettings linkSettings();
void takeReading(uint32_t now);
float readTemperatureC();

static WiFiClient net;
static sheetlog::ReadingBuffer<kBufferReadings> buffer;
static sheetlog::SheetlogClient client(net, buffer, sessionSettings(), linkSettings());
static sheetlog::Periodic sampleEvery(SAMPLE_PERIOD_MS);
static sheetlog::EnergyCounter energy;
static sheetlog::Console console(Serial);
static bool sampling = true;

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
  client.begin(ESP.random(), &Serial);  // hardware random number: a new boot id at every power-up
}

void loop() {
  console.serve(client, sampling, Serial);
  client.loop(WiFi.status() == WL_CONNECTED);
  uint32_t now = millis();
  energy.addPower(sheetlog::demoHeaterMilliwatts(now), now);
  if (sampling && sampleEvery.due(now)) takeReading(now);
}

void takeReading(uint32_t now) {
  char fields[sheetlog::kFieldsCapacity];
  sheetlog::FieldWriter w(fields, sizeof fields);
  w.addFixed("temp_c", readTemperatureC(), 2).addMilli("energy_wh", energy.milliWattHours());
  if (WiFi.status() == WL_CONNECTED) w.addInt("rssi", WiFi.RSSI());
  if (!w.ok()) {
    Serial.println(F("sample skipped: fields do not fit"));
    return;
  }
  uint32_t seq = client.add(fields);
  sheetlog::printSample(Serial, seq, now, fields);
}

// TMP36: 0.5 V at 0 degC, 10 mV per degC. The NodeMCU's divider maps 0-3.3 V onto A0's 0-1023.
float readTemperatureC() {
  float volts = analogRead(A0) * (3.3f / 1023.0f);
  return (volts - 0.5f) * 100.0f;
}

