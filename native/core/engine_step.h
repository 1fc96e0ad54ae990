// One handshake step of a TlsEngine on a thread other than its driver's (the
// offloadHandshake option). The engine moves into the step while it runs and
// back to its driver when it is done: meanwhile the driver holds no pointer to
// it, so nothing on the driver's thread can reach it (its entry points find no
// engine and refuse). If the driver goes away first, the step frees the engine
// once it is back on the driver's thread.
//
// Who runs it: transport/pool_step.h on libuv's thread pool, for both drivers
// (Connection and TcpLink); native/tsan/ on a std::thread, under ThreadSanitizer.
#pragma once

#include <memory>
#include <utility>

#include "core/tls_engine.h"

namespace otls {

class EngineStep {
 public:
  // The driver the engine goes back to.
  class Owner {
   public:
    // On the driver's thread: the engine is back, and what its step produced.
    virtual void OnStepDone(std::unique_ptr<TlsEngine> engine, Cycle* cycle) noexcept = 0;

   protected:
    Owner() = default;
    Owner(const Owner&) = default;
    Owner& operator=(const Owner&) = default;
    Owner(Owner&&) = default;
    Owner& operator=(Owner&&) = default;
    ~Owner() = default;
  };

  EngineStep(std::unique_ptr<TlsEngine> engine, Owner* owner) : engine_(std::move(engine)), owner_(owner) {}
  EngineStep(const EngineStep&) = delete;
  EngineStep& operator=(const EngineStep&) = delete;
  ~EngineStep() = default;

  // On the other thread: one SSL_do_handshake, its failure taken off this
  // thread's error queue into the cycle, this thread's OpenSSL state freed.
  void Run() noexcept;
  // Back on the driver's thread: the engine and the cycle go to the owner, or,
  // if it left (Abandon), the engine is freed here.
  void Complete() noexcept;
  // The owner is going away: it hears nothing, and Complete frees the engine.
  void Abandon() noexcept { owner_ = nullptr; }
  // Before Run only, when the step could not be started: the engine back.
  std::unique_ptr<TlsEngine> TakeBack() noexcept {
    owner_ = nullptr;
    return std::move(engine_);
  }

 private:
  std::unique_ptr<TlsEngine> engine_;
  Owner* owner_;
  Cycle cycle_;
};

}  // namespace otls
