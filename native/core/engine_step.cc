// A handshake step away from the driver's thread (core/engine_step.h).
#include "core/engine_step.h"

#include <openssl/err.h>

#include <utility>

#include "core/ossl.h"

namespace otls {

void EngineStep::Run() noexcept { RunPoolHandshakeStep(engine_.get(), &cycle_); }

void EngineStep::Complete() noexcept {
  if (owner_ == nullptr) {
    // Nobody wants it any more: the SSL is freed here, on the driver's thread.
    ClearErrorOnReturn clear;
    engine_.reset();
    return;
  }
  Owner* owner = std::exchange(owner_, nullptr);
  owner->OnStepDone(std::move(engine_), &cycle_);
}

}  // namespace otls
