// sheetlog logger for an Adafruit Feather M0 WiFi (ATSAMD21 + ATWINC1500,
// FQBN adafruit:samd:adafruit_feather_m0).
//
// Every SAMPLE_PERIOD_MS it reads a TMP36 temperature sensor on A1 and a simulated energy meter,
// keeps the reading in a RAM ring buffer and streams it to a sheetlog gateway over TCP; a reading
// leaves the buffer only when the gateway acknowledges it as stored. See docs/SKETCHES.md.
//
// WiFi101's WiFi.begin() blocks until it has joined or failed, so joining is retried with backoff
// from loop(); readings taken meanwhile wait in the buffer. Serial console: status, pause, resume.
#include <SPI.h>
#include <SheetlogClient.h>
#include <WiFi101.h>

#if __has_include("config.h")
#include "config.h"
#else
#include "config.example.h"
#endif

#define FIRMWARE_VERSION "1.0.0"

// 150 readings * 64 bytes = 9.6 KB of the SAMD21's 32 KB RAM (WiFi101, the USB stack and the
// stack need most of the rest): 25 minutes of readings at one per 10 s survive an outage.
static const uint16_t kBufferReadings = 150;

sheetlog::SessionSettings sessionSettings();
sheetlog::LinkSettings linkSettings();
uint32_t bootEntropy();
void keepWiFi(uint32_t now);
void takeReading(uint32_t now);
float readTemperatureC();

static WiFiClient net;
static sheetlog::ReadingBuffer<kBufferReadings> buffer;
static sheetlog::SheetlogClient client(net, buffer, sessionSettings(), linkSettings());
static sheetlog::Periodic sampleEvery(SAMPLE_PERIOD_MS);
static sheetlog::EnergyCounter energy;
static sheetlog::Console console(Serial);
static sheetlog::Backoff joinBackoff(1000, 60000);
static sheetlog::Wait joinRetry;  // over at once: join at boot
static bool sampling = true;

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
  analogReadResolution(12);
  uint32_t boot = bootEntropy();
  randomSeed(boot);
  client.begin(boot, &Serial);
}

void loop() {
  console.serve(client, sampling, Serial);
  uint32_t now = millis();
  energy.addPower(sheetlog::demoHeaterMilliwatts(now), now);
  if (sampling && sampleEvery.due(now)) takeReading(now);  // before keepWiFi(), which may block
  keepWiFi(now);
  client.loop(WiFi.status() == WL_CONNECTED);
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

void keepWiFi(uint32_t now) {
  if (WiFi.status() == WL_CONNECTED || !joinRetry.over(now)) return;
  Serial.println(F("wifi: joining " WIFI_SSID));
  if (WiFi.begin(WIFI_SSID, WIFI_PASSWORD) == WL_CONNECTED) {  // blocks
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

// TMP36: 0.5 V at 0 degC, 10 mV per degC; 12-bit ADC on a 3.3 V reference.
float readTemperatureC() {
  float volts = analogRead(A1) * (3.3f / 4095.0f);
  return (volts - 0.5f) * 100.0f;
}

