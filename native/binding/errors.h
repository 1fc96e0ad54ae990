// OpenSSL's error queue and verify results as JS errors with Node's codes.
// This is the only place that turns OpenSSL errors into JS errors.
#pragma once

#include <napi.h>

#include <string>

namespace otls {

// Node's code for one packed OpenSSL error: ERR_SSL_<REASON> for libssl,
// ERR_OSSL_<LIB>_<REASON> for the libraries Node names, ERR_OSSL_<REASON> otherwise.
std::string OpenSSLErrorCode(unsigned long err);

// Pops the whole error queue into one Error, as Node does: the message and
// code/library/reason of the first error queued, opensslErrorStack with the
// later ones. An empty queue gives an Error with `fallback` as its message.
// Leaves the queue empty.
Napi::Error ErrorFromQueue(Napi::Env env, const char* fallback);

// The error a TLS connection fails with, as node:tls names it: code
// ERR_SSL_<REASON> whichever library raised it, library and reason, no stack.
// Leaves the queue empty.
Napi::Error SocketErrorFromQueue(Napi::Env env, const char* fallback);
// Same, from an error code collected on another thread (0: `fallback`).
Napi::Error SocketErrorFromCode(Napi::Env env, unsigned long first, const char* fallback);

// The queue as node's CryptoErrorStore reports it (engine loading): the first
// error's text as the message, the others latest first as opensslErrorStack,
// and no code, library or reason. Leaves the queue empty.
Napi::Error ErrorStoreFromQueue(Napi::Env env, const char* fallback);

// Same, for throwing: throws the error made by ErrorFromQueue.
[[noreturn]] void ThrowFromQueue(Napi::Env env, const char* fallback);

// An Error with a Node-style code and message (ERR_INVALID_ARG_VALUE, ...).
Napi::Error CodedError(Napi::Env env, const char* code, const std::string& message);
Napi::Error CodedTypeError(Napi::Env env, const char* code, const std::string& message);

// OpenSSL's name for an X509 verify result, as Node reports it
// (X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT -> "DEPTH_ZERO_SELF_SIGNED_CERT").
const char* VerifyErrorName(long verify_result);

}  // namespace otls
