// Host shim: a minimal MQTT 3.1.1 client with the API of the PubSubClient Arduino library
// (knolleary/pubsubclient), written for sheetlog from the MQTT specification: QoS 0 publish and
// subscribe, retained messages, a last will, keepalive pings. Like the original: one packet buffer
// of 256 bytes by default (a packet that does not fit is not sent / is skipped when received), a
// blocking connect() that waits for CONNACK, and loop() to be called often.
#pragma once
#include <stdint.h>

#include "Arduino.h"
#include "Client.h"
#include "IPAddress.h"

#define MQTT_CONNECTION_TIMEOUT -4
#define MQTT_CONNECTION_LOST -3
#define MQTT_CONNECT_FAILED -2
#define MQTT_DISCONNECTED -1
#define MQTT_CONNECTED 0
#define MQTT_CONNECT_BAD_PROTOCOL 1
#define MQTT_CONNECT_BAD_CLIENT_ID 2
#define MQTT_CONNECT_UNAVAILABLE 3
#define MQTT_CONNECT_BAD_CREDENTIALS 4
#define MQTT_CONNECT_UNAUTHORIZED 5

#define MQTT_MAX_PACKET_SIZE 256
#define MQTT_KEEPALIVE 15
#define MQTT_SOCKET_TIMEOUT 15

typedef void (*MqttCallback)(char* topic, uint8_t* payload, unsigned int length);

class PubSubClient {
 public:
  explicit PubSubClient(Client& client);
  ~PubSubClient();
  PubSubClient(const PubSubClient&) = delete;
  PubSubClient& operator=(const PubSubClient&) = delete;

  PubSubClient& setServer(const char* host, uint16_t port);
  PubSubClient& setServer(IPAddress ip, uint16_t port);
  PubSubClient& setCallback(MqttCallback callback);
  PubSubClient& setKeepAlive(uint16_t seconds);
  PubSubClient& setSocketTimeout(uint16_t seconds);
  bool setBufferSize(uint16_t size);
  uint16_t getBufferSize() const { return bufferSize_; }

  bool connect(const char* id);
  bool connect(const char* id, const char* user, const char* pass);
  bool connect(const char* id, const char* willTopic, uint8_t willQos, bool willRetain, const char* willMessage);
  bool connect(const char* id, const char* user, const char* pass, const char* willTopic, uint8_t willQos,
               bool willRetain, const char* willMessage, bool cleanSession = true);
  void disconnect();

  bool publish(const char* topic, const char* payload);
  bool publish(const char* topic, const char* payload, bool retained);
  bool publish(const char* topic, const uint8_t* payload, unsigned int length);
  bool publish(const char* topic, const uint8_t* payload, unsigned int length, bool retained);
  bool subscribe(const char* topic, uint8_t qos = 0);
  bool unsubscribe(const char* topic);

  bool loop();
  bool connected();
  int state() const { return state_; }

 private:
  bool sendPacket(uint8_t header, const uint8_t* body, size_t length);
  bool readPackets();
  void handlePacket();
  void lost(int why);

  Client& client_;
  MqttCallback callback_ = nullptr;
  char host_[64] = "";
  uint16_t port_ = 1883;
  uint16_t keepAliveS_ = MQTT_KEEPALIVE;
  uint16_t socketTimeoutS_ = MQTT_SOCKET_TIMEOUT;
  uint8_t* buffer_ = nullptr;
  uint16_t bufferSize_ = 0;
  int state_ = MQTT_DISCONNECTED;
  uint16_t nextPacketId_ = 1;
  uint32_t lastInMs_ = 0;
  uint32_t lastOutMs_ = 0;
  bool pingOutstanding_ = false;
  // incoming packet being assembled
  uint8_t inHeader_ = 0;
  uint32_t inLength_ = 0;
  uint8_t inLengthBytes_ = 0;
  uint32_t inReceived_ = 0;
  enum class InStage : uint8_t { Header, Length, Body } inStage_ = InStage::Header;
};
