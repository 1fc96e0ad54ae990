#include "binding/loop_js.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <uv.h>

#include <string>

#include "binding/env_teardown.h"

namespace otls {

void CallFromLoop(Napi::Env env, Napi::Value fn, Napi::Object recv, std::initializer_list<napi_value> args) {
  if (!fn.IsFunction()) return;
  try {
    fn.As<Napi::Function>().MakeCallback(recv, args);
  } catch (const Napi::Error& e) {
    UncaughtFromLoop(env, e);
  }
}

void UncaughtFromLoop(napi_env env, const Napi::Error& e) noexcept {
  if (!JsCanRun(env)) return;
  try {
    napi_fatal_exception(env, e.Value());
  } catch (...) {
  }
}

Napi::Error UvError(Napi::Env env, int err, const char* syscall) {
  const char* code = uv_err_name(err);
  Napi::Error e = Napi::Error::New(env, std::string(syscall) + " " + code);
  e.Value().Set("errno", Napi::Number::New(env, err));
  e.Value().Set("code", code);
  e.Value().Set("syscall", syscall);
  return e;
}

bool PutAddress(Napi::Object out, const sockaddr_storage& ss, const char* address, const char* port,
                const char* family) {
  char ip[INET6_ADDRSTRLEN] = {0};
  int port_number = 0;
  const char* family_name = nullptr;
  if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    uv_ip6_name(a, ip, sizeof(ip));
    port_number = ntohs(a->sin6_port);
    family_name = "IPv6";
  } else if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    uv_ip4_name(a, ip, sizeof(ip));
    port_number = ntohs(a->sin_port);
    family_name = "IPv4";
  } else {
    return false;
  }
  out.Set(address, ip);
  out.Set(port, port_number);
  out.Set(family, family_name);
  return true;
}

}  // namespace otls
