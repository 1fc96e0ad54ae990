// One handshake step of a TlsEngine on libuv's thread pool: the one mechanism
// both drivers use for offloadHandshake (binding/connection_offload.cc for the
// JS transport, transport/tcp_link.cc for the native one). The engine moves
// into the step and comes back to the owner on the loop's thread
// (core/engine_step.h); a PoolStep is the owner's handle on it.
#pragma once

#include <uv.h>

#include <memory>

#include "core/engine_step.h"
#include "core/tls_engine.h"

namespace otls {

class PoolStep {
 public:
  PoolStep() = default;
  PoolStep(const PoolStep&) = delete;
  PoolStep& operator=(const PoolStep&) = delete;
  ~PoolStep() { Abandon(); }

  // Queues one step of *engine on loop's thread pool: true, and *engine is
  // moved into the step until owner->OnStepDone hands it back; false (libuv
  // refused), and *engine is left as it was.
  bool Start(uv_loop_t* loop, std::unique_ptr<TlsEngine>* engine, EngineStep::Owner* owner);
  // A step is on the pool: its engine is nobody else's.
  bool in_flight() const { return job_ != nullptr; }
  // The owner is going away: the step's engine is freed once it is back, and
  // the owner hears nothing.
  void Abandon() noexcept;

  // Steps started on this thread (its loop) that are not back yet.
  static size_t InFlightOnThisThread() noexcept;
  // Calls fn(arg) once on this thread when no step started here is in flight
  // any more: at once if none is. (An environment's teardown waits for that:
  // binding/env_teardown.cc.)
  static void WhenIdle(void (*fn)(void*), void* arg) noexcept;

 private:
  struct Job;
  static void Work(uv_work_t* req);
  static void After(uv_work_t* req, int status);

  Job* job_ = nullptr;  // libuv's until After
};

}  // namespace otls
