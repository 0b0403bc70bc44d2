// sheetlog logger for an ESP8266 over MQTT (PubSubClient, QoS 0), FQBN esp8266:esp8266:nodemcuv2.
//
// The same readings as esp8266_logger (TMP36 on A0, a simulated energy meter), published as
// protocol lines on sheetlog/<id>/r; the gateway acknowledges on sheetlog/<id>/ack, so a reading
// leaves the RAM buffer only once it is stored, even though MQTT QoS 0 itself promises nothing.
// Topics and behaviour: SheetlogMqtt.h and docs/SKETCHES.md. Serial console: status, pause, resume.
#include <ESP8266WiFi.h>
#include <PubSubClient.h>
#include <SheetlogClient.h>
#include <SheetlogMqtt.h>

#if __has_include("config.h")
#include "config.h"
#else
#include "config.example.h"
#endif

#define FIRMWARE_VERSION "1.0.0"

// 200 readings * 64 bytes = 12.8 KB of RAM, as in esp8266_logger; PubSubClient adds its
// 256-byte packet buffer.
static const uint16_t kBufferReadings = 200;

sheetlog::SessionSettings sessionSettings();
sheetlog::MqttSettings mqttSettings();
void onMqttMessage(char* topic, uint8_t* payload, unsigned int length);
void takeReading(uint32_t now);
float readTemperatureC();

static WiFiClient net;
static PubSubClient mqtt(net);
static sheetlog::ReadingBuffer<kBufferReadings> buffer;
static sheetlog::SheetlogMqtt client(mqtt, buffer, sessionSettings(), mqttSettings());
static sheetlog::Periodic sampleEvery(SAMPLE_PERIOD_MS);
static sheetlog::EnergyCounter energy;
static sheetlog::Console console(Serial);
static bool sampling = true;

sheetlog::SessionSettings sessionSettings() {
  sheetlog::SessionSettings s(DEVICE_ID, DEVICE_TOKEN);
  s.firmware = FIRMWARE_VERSION;
  s.board = "esp8266";
  s.replyTimeoutMs = REPLY_TIMEOUT_MS;
  return s;
}

sheetlog::MqttSettings mqttSettings() {
  sheetlog::MqttSettings m(MQTT_HOST, MQTT_PORT);
  m.backoffBaseMs = BACKOFF_BASE_MS;
  m.backoffMaxMs = BACKOFF_MAX_MS;
  return m;
}

void onMqttMessage(char* topic, uint8_t* payload, unsigned int length) { client.onMessage(topic, payload, length); }

void setup() {
  Serial.begin(115200);
  Serial.println();
  Serial.println(F("esp8266_mqtt_logger " FIRMWARE_VERSION));
  WiFi.persistent(false);
  WiFi.mode(WIFI_STA);
  WiFi.setAutoReconnect(true);
  WiFi.begin(WIFI_SSID, WIFI_PASSWORD);
  WiFiClient::setDefaultNoDelay(true);  // no Nagle delay: T round trips measure the network only
  mqtt.setCallback(onMqttMessage);
  client.begin(ESP.random(), &Serial);
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

