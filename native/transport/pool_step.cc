// Handshake steps on libuv's thread pool (transport/pool_step.h).
#include "transport/pool_step.h"

#include <utility>

namespace otls {

namespace {

// This thread's steps on the pool, and who waits for them all to be back.
struct ThreadSteps {
  size_t in_flight = 0;
  void (*idle_fn)(void*) = nullptr;
  void* idle_arg = nullptr;
};

ThreadSteps& Steps() {
  thread_local ThreadSteps steps;
  return steps;
}

}  // namespace

// Lives from Start to After, owned by libuv meanwhile; `handle` is the
// PoolStep that started it, until that one is abandoned.
struct PoolStep::Job {
  Job(std::unique_ptr<TlsEngine> engine, EngineStep::Owner* owner, PoolStep* from)
      : step(std::move(engine), owner), handle(from) {}
  uv_work_t req{};
  EngineStep step;
  PoolStep* handle;
};

bool PoolStep::Start(uv_loop_t* loop, std::unique_ptr<TlsEngine>* engine, EngineStep::Owner* owner) {
  if (job_ != nullptr) return false;  // one step at a time
  auto job = std::make_unique<Job>(std::move(*engine), owner, this);
  job->req.data = job.get();
  if (uv_queue_work(loop, &job->req, Work, After) != 0) {
    // Not queued: the engine goes back where it came from.
    *engine = job->step.TakeBack();
    return false;
  }
  job_ = job.release();  // libuv's until After
  ++Steps().in_flight;
  return true;
}

void PoolStep::Abandon() noexcept {
  if (job_ == nullptr) return;
  job_->handle = nullptr;
  job_->step.Abandon();
  job_ = nullptr;
}

void PoolStep::Work(uv_work_t* req) { static_cast<Job*>(req->data)->step.Run(); }

void PoolStep::After(uv_work_t* req, int /*status*/) {
  std::unique_ptr<Job> job(static_cast<Job*>(req->data));
  // The handle is free before the owner hears: it may start the next step.
  if (job->handle != nullptr) job->handle->job_ = nullptr;
  job->step.Complete();
  ThreadSteps& steps = Steps();
  if (--steps.in_flight == 0 && steps.idle_fn != nullptr) {
    void (*fn)(void*) = std::exchange(steps.idle_fn, nullptr);
    fn(std::exchange(steps.idle_arg, nullptr));
  }
}

size_t PoolStep::InFlightOnThisThread() noexcept { return Steps().in_flight; }

void PoolStep::WhenIdle(void (*fn)(void*), void* arg) noexcept {
  ThreadSteps& steps = Steps();
  if (steps.in_flight == 0) {
    fn(arg);
    return;
  }
  steps.idle_fn = fn;
  steps.idle_arg = arg;
}

}  // namespace otls
