#include "PubSubClient.h"

#include <stdlib.h>
#include <string.h>

namespace {

const uint8_t kConnect = 0x10, kConnack = 0x20, kPublish = 0x30, kSubscribe = 0x82, kUnsubscribe = 0xA2,
              kPingreq = 0xC0, kPingresp = 0xD0, kDisconnect = 0xE0;
const size_t kMaxHeader = 5;  // fixed header: type byte + up to 4 length bytes

// Appends an MQTT UTF-8 string (2-byte big-endian length, then the bytes).
bool putString(uint8_t* out, size_t cap, size_t* pos, const char* s, size_t n) {
  if (*pos + 2 + n > cap) return false;
  out[(*pos)++] = static_cast<uint8_t>(n >> 8);
  out[(*pos)++] = static_cast<uint8_t>(n & 0xFF);
  memcpy(out + *pos, s, n);
  *pos += n;
  return true;
}

bool putString(uint8_t* out, size_t cap, size_t* pos, const char* s) { return putString(out, cap, pos, s, strlen(s)); }

}  // namespace

PubSubClient::PubSubClient(Client& client) : client_(client) { setBufferSize(MQTT_MAX_PACKET_SIZE); }

PubSubClient::~PubSubClient() { free(buffer_); }

PubSubClient& PubSubClient::setServer(const char* host, uint16_t port) {
  strncpy(host_, host, sizeof host_ - 1);
  port_ = port;
  return *this;
}

PubSubClient& PubSubClient::setServer(IPAddress ip, uint16_t port) {
  ip.format(host_, sizeof host_);
  port_ = port;
  return *this;
}

PubSubClient& PubSubClient::setCallback(MqttCallback callback) {
  callback_ = callback;
  return *this;
}

PubSubClient& PubSubClient::setKeepAlive(uint16_t seconds) {
  keepAliveS_ = seconds;
  return *this;
}

PubSubClient& PubSubClient::setSocketTimeout(uint16_t seconds) {
  socketTimeoutS_ = seconds;
  return *this;
}

bool PubSubClient::setBufferSize(uint16_t size) {
  if (size == 0) return false;
  uint8_t* b = static_cast<uint8_t*>(realloc(buffer_, size));
  if (b == nullptr) return false;
  buffer_ = b;
  bufferSize_ = size;
  return true;
}

bool PubSubClient::connect(const char* id) { return connect(id, nullptr, nullptr, nullptr, 0, false, nullptr, true); }

bool PubSubClient::connect(const char* id, const char* user, const char* pass) {
  return connect(id, user, pass, nullptr, 0, false, nullptr, true);
}

bool PubSubClient::connect(const char* id, const char* willTopic, uint8_t willQos, bool willRetain,
                           const char* willMessage) {
  return connect(id, nullptr, nullptr, willTopic, willQos, willRetain, willMessage, true);
}

bool PubSubClient::connect(const char* id, const char* user, const char* pass, const char* willTopic,
                           uint8_t willQos, bool willRetain, const char* willMessage, bool cleanSession) {
  if (connected()) return true;
  if (!client_.connect(host_, port_)) {
    state_ = MQTT_CONNECT_FAILED;
    return false;
  }
  uint8_t body[512];
  size_t pos = 0;
  putString(body, sizeof body, &pos, "MQTT");
  body[pos++] = 4;  // protocol level 3.1.1
  uint8_t flags = cleanSession ? 0x02 : 0;
  if (willTopic != nullptr) flags |= static_cast<uint8_t>(0x04 | (willQos & 3) << 3 | (willRetain ? 0x20 : 0));
  if (user != nullptr) flags |= 0x80;
  if (user != nullptr && pass != nullptr) flags |= 0x40;
  body[pos++] = flags;
  body[pos++] = static_cast<uint8_t>(keepAliveS_ >> 8);
  body[pos++] = static_cast<uint8_t>(keepAliveS_ & 0xFF);
  bool fits = putString(body, sizeof body, &pos, id);
  if (willTopic != nullptr) {
    fits = fits && putString(body, sizeof body, &pos, willTopic) &&
           putString(body, sizeof body, &pos, willMessage != nullptr ? willMessage : "");
  }
  if (user != nullptr) fits = fits && putString(body, sizeof body, &pos, user);
  if (user != nullptr && pass != nullptr) fits = fits && putString(body, sizeof body, &pos, pass);
  inStage_ = InStage::Header;
  if (!fits || !sendPacket(kConnect, body, pos)) {
    client_.stop();
    state_ = MQTT_CONNECT_FAILED;
    return false;
  }
  // Blocks for CONNACK like the original (up to the socket timeout).
  uint32_t start = static_cast<uint32_t>(millis());
  state_ = MQTT_DISCONNECTED;
  while (static_cast<uint32_t>(millis()) - start < socketTimeoutS_ * 1000UL) {
    if (!readPackets()) break;
    if (state_ != MQTT_DISCONNECTED) break;  // handlePacket() saw the CONNACK
    delay(1);
  }
  if (state_ == MQTT_CONNECTED) return true;
  if (state_ == MQTT_DISCONNECTED) state_ = MQTT_CONNECTION_TIMEOUT;
  client_.stop();
  return false;
}

void PubSubClient::disconnect() {
  if (state_ == MQTT_CONNECTED) sendPacket(kDisconnect, nullptr, 0);
  client_.stop();
  state_ = MQTT_DISCONNECTED;
}

bool PubSubClient::publish(const char* topic, const char* payload) { return publish(topic, payload, false); }

bool PubSubClient::publish(const char* topic, const char* payload, bool retained) {
  return publish(topic, reinterpret_cast<const uint8_t*>(payload), payload != nullptr ? strlen(payload) : 0,
                 retained);
}

bool PubSubClient::publish(const char* topic, const uint8_t* payload, unsigned int length) {
  return publish(topic, payload, length, false);
}

bool PubSubClient::publish(const char* topic, const uint8_t* payload, unsigned int length, bool retained) {
  if (!connected()) return false;
  size_t topicLength = strlen(topic);
  if (kMaxHeader + 2 + topicLength + length > bufferSize_) return false;  // the original's limit
  size_t pos = 0;
  putString(buffer_, bufferSize_, &pos, topic, topicLength);
  memcpy(buffer_ + pos, payload, length);
  return sendPacket(static_cast<uint8_t>(kPublish | (retained ? 1 : 0)), buffer_, pos + length);
}

bool PubSubClient::subscribe(const char* topic, uint8_t qos) {
  if (!connected() || qos > 1) return false;
  uint8_t body[300];
  size_t pos = 0;
  body[pos++] = static_cast<uint8_t>(nextPacketId_ >> 8);
  body[pos++] = static_cast<uint8_t>(nextPacketId_ & 0xFF);
  ++nextPacketId_;
  if (!putString(body, sizeof body - 1, &pos, topic)) return false;
  body[pos++] = qos;
  return sendPacket(kSubscribe, body, pos);
}

bool PubSubClient::unsubscribe(const char* topic) {
  if (!connected()) return false;
  uint8_t body[300];
  size_t pos = 0;
  body[pos++] = static_cast<uint8_t>(nextPacketId_ >> 8);
  body[pos++] = static_cast<uint8_t>(nextPacketId_ & 0xFF);
  ++nextPacketId_;
  if (!putString(body, sizeof body, &pos, topic)) return false;
  return sendPacket(kUnsubscribe, body, pos);
}

bool PubSubClient::loop() {
  if (!connected()) return false;
  uint32_t now = static_cast<uint32_t>(millis());
  uint32_t keepAliveMs = keepAliveS_ * 1000UL;
  if (keepAliveMs > 0 && (now - lastInMs_ > keepAliveMs || now - lastOutMs_ > keepAliveMs)) {
    if (pingOutstanding_) {
      lost(MQTT_CONNECTION_TIMEOUT);
      return false;
    }
    pingOutstanding_ = sendPacket(kPingreq, nullptr, 0);
  }
  return readPackets() && connected();
}

bool PubSubClient::connected() {
  if (state_ != MQTT_CONNECTED) return false;
  if (!client_.connected()) {
    lost(MQTT_CONNECTION_LOST);
    return false;
  }
  return true;
}

void PubSubClient::lost(int why) {
  client_.stop();
  state_ = why;
  pingOutstanding_ = false;
}

bool PubSubClient::sendPacket(uint8_t header, const uint8_t* body, size_t length) {
  uint8_t head[kMaxHeader];
  size_t n = 0;
  head[n++] = header;
  size_t rest = length;
  do {  // remaining length: 7 bits per byte, high bit = more
    uint8_t digit = static_cast<uint8_t>(rest % 128);
    rest /= 128;
    head[n++] = static_cast<uint8_t>(digit | (rest > 0 ? 0x80 : 0));
  } while (rest > 0 && n < kMaxHeader);
  uint8_t packet[kMaxHeader + 512];
  if (n + length > sizeof packet) return false;
  memcpy(packet, head, n);
  if (length > 0) memcpy(packet + n, body, length);
  bool ok = client_.write(packet, n + length) == n + length;  // one write: one TCP segment
  if (ok) lastOutMs_ = static_cast<uint32_t>(millis());
  return ok;
}

// Assembles incoming packets from whatever bytes are available; false when the link failed.
bool PubSubClient::readPackets() {
  while (client_.available() > 0) {
    int c = client_.read();
    if (c < 0) break;
    uint8_t b = static_cast<uint8_t>(c);
    switch (inStage_) {
      case InStage::Header:
        inHeader_ = b;
        inLength_ = 0;
        inLengthBytes_ = 0;
        inReceived_ = 0;
        inStage_ = InStage::Length;
        break;
      case InStage::Length:
        inLength_ |= static_cast<uint32_t>(b & 0x7F) << (7 * inLengthBytes_);
        if (++inLengthBytes_ > 4) {
          lost(MQTT_CONNECTION_LOST);  // malformed
          return false;
        }
        if ((b & 0x80) == 0) {
          inStage_ = InStage::Body;
          if (inLength_ == 0) {
            handlePacket();
            inStage_ = InStage::Header;
          }
        }
        break;
      case InStage::Body:
        if (inReceived_ < bufferSize_) buffer_[inReceived_] = b;  // bytes beyond the buffer are skipped
        if (++inReceived_ == inLength_) {
          if (inLength_ <= bufferSize_) handlePacket();
          inStage_ = InStage::Header;
        }
        break;
    }
  }
  return client_.connected() || client_.available() > 0;
}

void PubSubClient::handlePacket() {
  lastInMs_ = static_cast<uint32_t>(millis());
  uint8_t type = inHeader_ & 0xF0;
  if (type == kConnack) {
    state_ = inLength_ >= 2 && buffer_[1] == 0 ? MQTT_CONNECTED : (inLength_ >= 2 ? buffer_[1] : MQTT_CONNECT_FAILED);
    lastOutMs_ = lastInMs_;
    pingOutstanding_ = false;
  } else if (type == kPingresp) {
    pingOutstanding_ = false;
  } else if (type == (kPublish & 0xF0) && callback_ != nullptr && inLength_ >= 2) {
    uint32_t topicLength = static_cast<uint32_t>(buffer_[0]) << 8 | buffer_[1];
    uint32_t offset = 2 + topicLength + (((inHeader_ >> 1) & 3) > 0 ? 2 : 0);  // QoS > 0 has a packet id
    if (offset > inLength_ || 2 + topicLength >= bufferSize_) return;
    // Like the original: the topic is made NUL-terminated in place, the payload follows it.
    memmove(buffer_, buffer_ + 2, topicLength);
    buffer_[topicLength] = '\0';
    callback_(reinterpret_cast<char*>(buffer_), buffer_ + offset, inLength_ - offset);
  }
}
