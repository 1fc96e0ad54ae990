// OCSP stapling on a Connection.
//
// Client (requestOCSP): asks for the status in its ClientHello; OpenSSL's status
// callback records what the server stapled (or that it stapled nothing), and
// the next result reports it as `ocspResponse` for the 'OCSPResponse' event.
//
// Server: when the client asked and JS listens for OCSPRequest, the handshake
// stops once the certificate is chosen (the certificate pause, which carries
// the certificate and its issuer); JS answers with resume({ ocspResponse }),
// and OpenSSL's status callback, which runs right after, staples it. The
// callbacks are the engine's (core/tls_engine_callbacks.cc); here is the JS side.
#include <openssl/ssl.h>

#include <string>

#include "binding/connection.h"
#include "binding/errors.h"

namespace otls {

void Connection::ApplyOcspAnswer(Napi::Object answer) {
  Napi::Value response = answer.Get("ocspResponse");
  if (!response.IsBuffer()) return;
  auto buf = response.As<Napi::Buffer<char>>();
  engine()->SetOcspResponse(std::string(buf.Data(), buf.Length()));
}

void Connection::ReportOcsp(Napi::Env env, const OcspReport& report, Napi::Object result) {
  if (report.stapled) {
    result.Set("ocspResponse", Napi::Buffer<char>::Copy(env, report.response.data(), report.response.size()));
  } else {
    result.Set("ocspResponse", env.Null());
  }
}

}  // namespace otls
