// Cleartext as JS Buffers (binding/cleartext.h).
#include "binding/cleartext.h"

#include <vector>

#include "core/narrow.h"
#include "core/read_buffer.h"

namespace otls {

namespace {

// `ends` names where each record but the last ends in ReadBuffer(); the last ends at `len`.
Napi::Array RecordBuffers(Napi::Env env, size_t len, const std::vector<size_t>& ends) {
  const unsigned char* data = ReadBuffer().data();
  Napi::Array out = Napi::Array::New(env, ends.size() + 1);
  for (size_t i = 0, start = 0; i <= ends.size(); ++i) {
    const size_t end = i < ends.size() ? ends[i] : len;
    out.Set(SaturatedCast<uint32_t>(i), Napi::Buffer<unsigned char>::Copy(env, data + start, end - start));
    start = end;
  }
  return out;
}

Napi::Buffer<unsigned char> CleartextBuffer(Napi::Env env, size_t len) {
  return Napi::Buffer<unsigned char>::Copy(env, ReadBuffer().data(), len);
}

Napi::Value SunkRecord(Napi::Env env, void* record) { return {env, static_cast<napi_value>(record)}; }

}  // namespace

size_t CleartextRecords(const Cycle& cycle) {
  if (!cycle.sunk.empty()) return cycle.sunk.size();
  return cycle.cleartext == 0 ? 0 : cycle.record_ends.size() + 1;
}

Napi::Value SingleCleartext(Napi::Env env, const Cycle& cycle) {
  if (!cycle.sunk.empty()) return SunkRecord(env, cycle.sunk.front());
  return cycle.cleartext > 0 ? Napi::Value(CleartextBuffer(env, cycle.cleartext)) : env.Undefined();
}

void SetCleartext(Napi::Env env, const Cycle& cycle, Napi::Object result) {
  const size_t records = CleartextRecords(cycle);
  if (records == 1) {
    result.Set("cleartext", SingleCleartext(env, cycle));
  } else if (records > 1 && cycle.sunk.empty()) {
    result.Set("records", RecordBuffers(env, cycle.cleartext, cycle.record_ends));
  } else if (records > 1) {
    Napi::Array out = Napi::Array::New(env, records);
    for (size_t i = 0; i < records; ++i) out.Set(SaturatedCast<uint32_t>(i), SunkRecord(env, cycle.sunk[i]));
    result.Set("records", out);
  }
}

RecordSink* JsRecordSink::Open(napi_env env) noexcept {
  if (scope_) return nullptr;
  env_ = env;
  scope_.emplace(env);
  if (scope_->ok()) return this;
  scope_.reset();
  return nullptr;
}

void JsRecordSink::Release() noexcept { scope_.reset(); }

unsigned char* JsRecordSink::Reserve(size_t n, void** record) noexcept {
  void* data = nullptr;
  napi_value value = nullptr;
  if (!scope_ || napi_create_buffer(env_, n, &data, &value) != napi_ok) return static_cast<unsigned char*>(Failed());
  *record = value;
  return static_cast<unsigned char*>(data);
}

void* JsRecordSink::Copy(const unsigned char* data, size_t n) noexcept {
  napi_value value = nullptr;
  if (!scope_ || napi_create_buffer_copy(env_, n, data, nullptr, &value) != napi_ok) return Failed();
  return value;
}

void* JsRecordSink::Failed() noexcept {
  if (scope_) {
    bool pending = false;
    napi_value ignored = nullptr;
    if (napi_is_exception_pending(env_, &pending) == napi_ok && pending) {
      (void)napi_get_and_clear_last_exception(env_, &ignored);
    }
  }
  return nullptr;
}

}  // namespace otls
