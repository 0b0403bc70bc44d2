#include "HostTls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

namespace host {

// BearSSL's codes for the failures the stand-in reproduces (bearssl_ssl.h, bearssl_x509.h), so
// a sketch's getLastSSLError() reads as on the board.
const int kErrIo = 31;
const int kErrTooLarge = 6;
const int kErrBadParam = 1;
const int kErrX509Expired = 54;
const int kErrX509BadServerName = 56;
const int kErrX509NotTrusted = 62;

// TLS 1.2 suites BearSSL's full client profile offers (ECDHE with ECDSA or RSA, AES-GCM,
// ChaCha20-Poly1305, AES-CBC); OpenSSL picks from these only.
const char* const kBearSslCiphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:"
    "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:AES128-GCM-SHA256:AES256-GCM-SHA384";

struct TlsSession {
  SSL_CTX* ctx = nullptr;
  SSL* ssl = nullptr;
  uint16_t maxFragment = 0;
};

namespace {

void setError(TlsError* e, int code, const char* text) {
  if (e == nullptr) return;
  e->code = code;
  snprintf(e->text, sizeof e->text, "%s", text);
}

bool waitFd(int fd, short events, int timeoutMs) {
  pollfd p = {fd, events, 0};
  return poll(&p, 1, timeoutMs) == 1;
}

uint8_t fragmentCode(uint16_t len) {
  switch (len) {
    case 512: return TLSEXT_max_fragment_length_512;
    case 1024: return TLSEXT_max_fragment_length_1024;
    case 2048: return TLSEXT_max_fragment_length_2048;
    case 4096: return TLSEXT_max_fragment_length_4096;
    default: return TLSEXT_max_fragment_length_DISABLED;
  }
}

bool isIpLiteral(const char* name) {
  in_addr a4;
  in6_addr a6;
  return inet_pton(AF_INET, name, &a4) == 1 || inet_pton(AF_INET6, name, &a6) == 1;
}

bool loadTrustAnchors(SSL_CTX* ctx, const char* pem) {
  BIO* bio = BIO_new_mem_buf(pem, -1);
  if (bio == nullptr) return false;
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  int added = 0;
  for (;;) {
    X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    if (cert == nullptr) break;
    if (X509_STORE_add_cert(store, cert) == 1) ++added;
    X509_free(cert);
  }
  ERR_clear_error();
  BIO_free(bio);
  return added > 0;
}

void release(TlsSession* s) {
  if (s->ssl != nullptr) SSL_free(s->ssl);
  if (s->ctx != nullptr) SSL_CTX_free(s->ctx);
  delete s;
}

// BearSSL checks the fingerprint on the certificate as it arrives; checked here right after the
// handshake, before the sketch can write a byte, which comes to the same.
bool fingerprintMatches(SSL* ssl, const uint8_t expected[20], TlsError* error) {
  X509* peer = SSL_get1_peer_certificate(ssl);
  if (peer == nullptr) {
    setError(error, kErrX509NotTrusted, "the server sent no certificate");
    return false;
  }
  uint8_t got[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  bool ok = X509_digest(peer, EVP_sha1(), got, &len) == 1 && len == 20 && memcmp(got, expected, 20) == 0;
  X509_free(peer);
  if (!ok) {
    char text[160];
    int n = snprintf(text, sizeof text, "certificate fingerprint mismatch (server's SHA-1 ");
    for (unsigned i = 0; i < len && n + 4 < static_cast<int>(sizeof text); ++i) {
      n += snprintf(text + n, sizeof text - n, i + 1 < len ? "%02X:" : "%02X", got[i]);
    }
    snprintf(text + n, sizeof text - n, ")");
    setError(error, kErrX509NotTrusted, text);
  }
  return ok;
}

void verifyError(SSL* ssl, TlsError* error) {
  long v = SSL_get_verify_result(ssl);
  char text[160];
  snprintf(text, sizeof text, "certificate not accepted: %s", X509_verify_cert_error_string(v));
  int code = kErrX509NotTrusted;
  if (v == X509_V_ERR_CERT_HAS_EXPIRED || v == X509_V_ERR_CERT_NOT_YET_VALID) code = kErrX509Expired;
  if (v == X509_V_ERR_HOSTNAME_MISMATCH) code = kErrX509BadServerName;
  setError(error, code, text);
}

}  // namespace

TlsSession* tlsHandshake(int fd, const char* serverName, const TlsOptions& o, int timeoutMs, TlsError* error) {
  setError(error, 0, "");
  if (!o.insecure && !o.useFingerprint && o.trustAnchorsPem == nullptr) {
    // BearSSL refuses to connect when told nothing about how to check the server.
    setError(error, kErrBadParam, "no fingerprint, trust anchor or setInsecure(): refusing to connect");
    return nullptr;
  }
  TlsSession* s = new TlsSession;
  s->maxFragment = o.maxFragment;
  s->ctx = SSL_CTX_new(TLS_client_method());
  if (s->ctx == nullptr) {
    setError(error, kErrIo, "SSL_CTX_new failed");
    release(s);
    return nullptr;
  }
  SSL_CTX_set_min_proto_version(s->ctx, TLS1_VERSION);
  SSL_CTX_set_max_proto_version(s->ctx, TLS1_2_VERSION);
  SSL_CTX_set_cipher_list(s->ctx, o.ciphers != nullptr ? o.ciphers : kBearSslCiphers);
  bool chain = !o.insecure && !o.useFingerprint;
  if (chain && !loadTrustAnchors(s->ctx, o.trustAnchorsPem)) {
    setError(error, kErrBadParam, "the trust anchor PEM holds no certificate");
    release(s);
    return nullptr;
  }
  SSL_CTX_set_verify(s->ctx, SSL_VERIFY_NONE, nullptr);  // the result is read after the handshake
  s->ssl = SSL_new(s->ctx);
  if (s->ssl == nullptr) {
    setError(error, kErrIo, "SSL_new failed");
    release(s);
    return nullptr;
  }
  if (chain) {
    X509_VERIFY_PARAM* param = SSL_get0_param(s->ssl);
    if (o.x509Time != 0) X509_VERIFY_PARAM_set_time(param, o.x509Time);
    if (o.checkName && serverName != nullptr && serverName[0] != '\0' && !isIpLiteral(serverName)) {
      X509_VERIFY_PARAM_set1_host(param, serverName, 0);
    }
  }
  if (serverName != nullptr && !isIpLiteral(serverName)) SSL_set_tlsext_host_name(s->ssl, serverName);
  uint8_t mfl = fragmentCode(o.maxFragment);
  if (mfl != TLSEXT_max_fragment_length_DISABLED) SSL_set_tlsext_max_fragment_length(s->ssl, mfl);
  SSL_set_fd(s->ssl, fd);

  timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (;;) {
    int rc = SSL_connect(s->ssl);
    if (rc == 1) break;
    int e = SSL_get_error(s->ssl, rc);
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long spent = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
    bool again = (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) &&
                 spent < timeoutMs && waitFd(fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, timeoutMs - static_cast<int>(spent));
    if (!again) {
      unsigned long detail = ERR_peek_last_error();
      char text[160];
      if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        snprintf(text, sizeof text, "handshake timed out after %d ms", timeoutMs);
      } else if (detail != 0) {
        snprintf(text, sizeof text, "handshake failed: %s", ERR_reason_error_string(detail));
      } else {
        snprintf(text, sizeof text, "handshake failed: the server closed the connection");
      }
      bool tooLarge = detail != 0 && ERR_GET_REASON(detail) == SSL_R_DATA_LENGTH_TOO_LONG;
      setError(error, tooLarge ? kErrTooLarge : kErrIo, text);
      ERR_clear_error();
      release(s);
      return nullptr;
    }
  }
  if (o.useFingerprint && !fingerprintMatches(s->ssl, o.fingerprintSha1, error)) {
    release(s);
    return nullptr;
  }
  if (chain && SSL_get_verify_result(s->ssl) != X509_V_OK) {
    verifyError(s->ssl, error);
    release(s);
    return nullptr;
  }
  return s;
}

ssize_t tlsRecv(TlsSession* s, uint8_t* buf, size_t size) {
  int n = SSL_read(s->ssl, buf, static_cast<int>(size));
  if (n > 0) return n;
  int e = SSL_get_error(s->ssl, n);
  ERR_clear_error();
  if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return -1;
  if (e == SSL_ERROR_ZERO_RETURN) return 0;
  if (e == SSL_ERROR_SYSCALL && errno == 0) return 0;  // EOF without close_notify
  return -2;
}

size_t tlsSend(TlsSession* s, const uint8_t* buf, size_t size, int timeoutMs) {
  size_t done = 0;
  while (done < size) {
    int n = SSL_write(s->ssl, buf + done, static_cast<int>(size - done));
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    int e = SSL_get_error(s->ssl, n);
    ERR_clear_error();
    if ((e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) &&
        waitFd(SSL_get_fd(s->ssl), e == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN, timeoutMs)) {
      continue;
    }
    break;
  }
  return done;
}

bool tlsFragmentNegotiated(const TlsSession* s) {
  SSL_SESSION* session = SSL_get_session(s->ssl);
  return s->maxFragment != 0 && session != nullptr &&
         SSL_SESSION_get_max_fragment_length(session) == fragmentCode(s->maxFragment);
}

void tlsEnd(TlsSession* s, bool graceful) {
  if (s == nullptr) return;
  if (graceful) {
    SSL_shutdown(s->ssl);
    ERR_clear_error();
  }
  release(s);
}

}  // namespace host
