// How cleartext reaches JS: a Buffer per record, as node:tls's TLSWrap emits it
// (at most 16 KiB each, memory a scavenge frees). A read on the native transport
// decrypts each record straight into its Buffer (JsRecordSink); every other call
// reads into this thread's ReadBuffer() and copies out (docs/ARCHITECTURE.md, "Reads").
#pragma once

#include <napi.h>

#include <cstddef>
#include <optional>

#include "binding/env_teardown.h"
#include "core/record_sink.h"
#include "core/tls_engine.h"

namespace otls {

// The cycle's cleartext as one Buffer (undefined when there is none); only for a
// cycle of at most one record (CleartextRecords() says how many).
Napi::Value SingleCleartext(Napi::Env env, const Cycle& cycle);
// How many records the cycle's cleartext is.
size_t CleartextRecords(const Cycle& cycle);
// result.cleartext (one record) or result.records (several), as a CycleResult has them.
void SetCleartext(Napi::Env env, const Cycle& cycle, Napi::Object result);

// A native read's records as JS Buffers made in a handle scope that lasts until
// the read has been reported. One per connection; never nested.
class JsRecordSink final : public RecordSink {
 public:
  JsRecordSink() = default;
  ~JsRecordSink() override = default;
  JsRecordSink(const JsRecordSink&) = delete;
  JsRecordSink& operator=(const JsRecordSink&) = delete;
  JsRecordSink(JsRecordSink&&) = delete;
  JsRecordSink& operator=(JsRecordSink&&) = delete;

  // Opens the scope: this sink, or null when JS cannot run (or it is open already).
  RecordSink* Open(napi_env env) noexcept;

  unsigned char* Reserve(size_t n, void** record) noexcept override;
  void* Copy(const unsigned char* data, size_t n) noexcept override;
  void Release() noexcept override;

 private:
  // A failed N-API call may leave an exception (allocation): the engine reports
  // the failure itself, so it is dropped.
  void* Failed() noexcept;

  napi_env env_ = nullptr;
  std::optional<LoopCallbackScope> scope_;
};

}  // namespace otls
