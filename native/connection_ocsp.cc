// OCSP stapling on a Connection.
//
// Client (requestOCSP): asks for the status in its ClientHello; OpenSSL's status
// callback records what the server stapled (or that it stapled nothing), and
// the next result reports it as `ocspResponse` for the 'OCSPResponse' event.
//
// Server: when the client asked and JS listens for OCSPRequest, the handshake
// stops once the certificate is chosen (the certificate pause, which carries
// the certificate and its issuer); JS answers with resume({ ocspResponse }),
// and OpenSSL's status callback, which runs right after, staples it.
#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include <string>

#include "connection.h"
#include "errors.h"

namespace otls {

void Connection::SetupOcsp(Napi::Env env, Napi::Object options) {
  if (is_server_ || !options.Get("requestOCSP").ToBoolean()) return;
  if (SSL_set_tlsext_status_type(ssl_.get(), TLSEXT_STATUSTYPE_ocsp) != 1) {
    ThrowFromQueue(env, "Failed to request OCSP stapling");
  }
}

bool Connection::WantsCertificatePause(SSL* ssl) const noexcept {
  // The certificate pause exists for OCSPRequest: without a status request
  // from the client there is nothing to ask JS.
  return SSL_get_tlsext_status_type(ssl) == TLSEXT_STATUSTYPE_ocsp;
}

void Connection::ApplyOcspAnswer(Napi::Object answer) {
  Napi::Value response = answer.Get("ocspResponse");
  if (!response.IsBuffer()) return;
  auto buf = response.As<Napi::Buffer<char>>();
  ocsp_response_.assign(buf.Data(), buf.Length());
  ocsp_response_set_ = true;
}

int Connection::OnStatus(SSL* ssl) noexcept {
  if (!is_server_) {
    // Called whenever we asked, stapled or not; the verdict is JS's (node:tls
    // accepts every response and leaves checking it to the 'OCSPResponse' listener).
    const unsigned char* data = nullptr;
    long len = SSL_get_tlsext_status_ocsp_resp(ssl, &data);
    try {
      if (data != nullptr && len > 0) {
        ocsp_received_.assign(reinterpret_cast<const char*>(data), static_cast<size_t>(len));
        ocsp_received_stapled_ = true;
      } else {
        ocsp_received_.clear();
        ocsp_received_stapled_ = false;
      }
      ocsp_report_ = true;
    } catch (...) {
      return 0;  // out of memory: fail the handshake rather than lose the response
    }
    return 1;
  }
  if (!ocsp_response_set_ || ocsp_response_.empty()) return SSL_TLSEXT_ERR_NOACK;
  // OpenSSL takes ownership of a copy made with its own allocator.
  void* copy = OPENSSL_memdup(ocsp_response_.data(), ocsp_response_.size());
  if (copy == nullptr) return SSL_TLSEXT_ERR_ALERT_FATAL;
  if (SSL_set_tlsext_status_ocsp_resp(ssl, static_cast<unsigned char*>(copy), static_cast<long>(ocsp_response_.size())) !=
      1) {
    OPENSSL_free(copy);
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  }
  return SSL_TLSEXT_ERR_OK;
}

void Connection::ReportOcsp(Napi::Env env, Napi::Object result) {
  if (!ocsp_report_) return;
  ocsp_report_ = false;
  if (ocsp_received_stapled_) {
    result.Set("ocspResponse", Napi::Buffer<char>::Copy(env, ocsp_received_.data(), ocsp_received_.size()));
  } else {
    result.Set("ocspResponse", env.Null());
  }
  ocsp_received_.clear();
}

}  // namespace otls
