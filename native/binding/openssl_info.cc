#include "binding/openssl_info.h"

#include <string>
#include <vector>

#include "binding/errors.h"
#include "binding/js_array.h"
#include "binding/secure_context.h"
#include "core/engine_keys.h"
#include "core/ossl.h"
#include "core/store_keys.h"
#include "core/system_config.h"

namespace otls {

Napi::Value SystemDefaultsJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  SystemTlsConfig config = ReadSystemTlsConfig();
  Napi::Object out = Napi::Object::New(env);
  out.Set("configFile", config.config_file);
  out.Set("section", config.section.empty() ? env.Null() : Napi::String::New(env, config.section));
  out.Set("commands", ToJsArray(env, config.commands, [env](const std::pair<std::string, std::string>& cmd) {
            return ToJsArray(env, std::vector<std::string>{cmd.first, cmd.second});
          }));
  out.Set("minVersion", Napi::Number::New(env, config.min_version));
  out.Set("maxVersion", Napi::Number::New(env, config.max_version));
  out.Set("securityLevel", Napi::Number::New(env, config.security_level));
  out.Set("options", Napi::BigInt::New(env, config.options));
  out.Set("ciphers", ToJsArray(env, config.ciphers));
  out.Set("ciphersuites", ToJsArray(env, config.ciphersuites));
  return out;
}

Napi::Value CipherNamesJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  if (!info[0].IsString()) {
    throw CodedTypeError(env, "ERR_INVALID_ARG_TYPE", "The \"ciphers\" argument must be of type string");
  }
  std::vector<std::string> names;
  if (!CipherNames(info[0].As<Napi::String>().Utf8Value(), &names)) ThrowFromQueue(env, "No cipher match");
  return ToJsArray(env, names);
}

Napi::Value SetEngineJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  if (!info[0].IsString() || !info[1].IsNumber()) {
    throw CodedTypeError(env, "ERR_INVALID_ARG_TYPE", "setEngine(id: string, flags: number)");
  }
  EngineHandle engine = OpenEngineOrThrow(env, info[0].As<Napi::String>().Utf8Value());
  return Napi::Boolean::New(env, SetDefaultEngine(engine.get(), info[1].As<Napi::Number>().Uint32Value()));
}

Napi::Value ProvidersJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ClearErrorOnReturn clear;
  return ToJsArray(env, LoadedProviders(), [env](const ProviderInfo& p) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", p.name);
    o.Set("version", p.version);
    o.Set("buildinfo", p.buildinfo);
    return o;
  });
}

}  // namespace otls
