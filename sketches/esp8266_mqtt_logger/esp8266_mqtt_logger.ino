// sheetlog logger for an ESP8266 over MQTT (PubSubClient, QoS 0), FQBN esp8266:esp8266:nodemcuv2.
//
// The same readings as esp8266_logger (TMP36 on A0, a simulated energy meter), published as
// protocol lines on sheetlog/<id>/r; the gateway acknowledges on sheetlog/<id>/ack, so a reading
// leaves the RAM buffer only once it is stored, even though MQTT QoS 0 itself promises nothing.
// Topics and behaviour: SheetlogMqtt.h and docs/SKETCHES.md. Serial console: status, pause, resume.
// PubSubClient's packet buffer is sized for the longest id and token the protocol allows.
#include <ESP8266WiFi.h>
#include <PubSubClient.h>
#include <SheetlogClient.h>
#include <SheetlogExample.h>
#include <SheetlogMqtt.h>

#if __has_include("sheetlog_config.h")
#include "sheetlog_config.h"
#else
#include "sheetlog_config.example.h"
#endif

#define FIRMWARE_VERSION "1.1.0"

// 200 readings * 66 bytes = 13.2 KB of RAM, as in esp8266_logger; PubSubClient adds its packet
// buffer (on the heap, sized in SheetlogMqtt::begin: 470 bytes for the longest id and token).
static const uint16_t kBufferReadings = 200;

sheetlog::SessionSettings sessionSettings();
sheetlog::MqttSettings mqttSettings();
void onMqttMessage(char* topic, uint8_t* payload, unsigned int length);

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
#if MQTT_TLS
#include <SheetlogTls.h>
static sheetlog::GatewayTlsClient net(SHEETLOG_TLS_SETTINGS);
#else
static WiFiClient net;
#endif
static PubSubClient mqtt(net);
static sheetlog::SheetlogMqtt client(mqtt, ring, sessionSettings(), mqttSettings());
static sheetlog::ExampleLogger<sheetlog::SheetlogMqtt> logger(client, board, retention, SAMPLE_PERIOD_MS);
static NodeMcuSensors sensors;

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
  WiFi.persistent(false);  // do not rewrite the flash with the credentials on every boot
  WiFi.mode(WIFI_STA);
  WiFi.setAutoReconnect(true);
  WiFi.begin(WIFI_SSID, WIFI_PASSWORD);  // returns at once; the core joins in the background
  WiFiClient::setDefaultNoDelay(true);  // no Nagle delay: T round trips measure the network only
  net.setTimeout(NET_TIMEOUT_MS);  // connect() and write() give up after this
#if MQTT_TLS
  net.begin(&Serial);
#ifdef TLS_CA
  configTime(0, 0, SNTP_SERVER);  // the certificate's dates are checked: connects wait for the time
#endif
#endif
  mqtt.setSocketTimeout(NET_TIMEOUT_MS / 1000 > 0 ? NET_TIMEOUT_MS / 1000 : 1);  // waiting for CONNACK
  mqtt.setCallback(onMqttMessage);
  logger.begin(ESP.random(), WATCHDOG_MS);  // hardware random number: a new boot id at every power-up
}

void loop() {
  logger.sample(sensors);
  logger.service(WiFi.status() == WL_CONNECTED);
}
