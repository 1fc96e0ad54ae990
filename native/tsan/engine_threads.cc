// ThreadSanitizer harness: a TlsEngine driven from two threads the way
// offloadHandshake drives it. A server's handshake steps run on a second thread
// (a std::thread standing in for a libuv pool thread, running what the pool
// runs) while the driver's thread keeps calling into the driver, as JS may call
// a Connection meanwhile: the report switches (setReportKeylog,
// setReportSessions), which OpenSSL's keylog and new-session callbacks read on
// the step's thread, and receiveAsync.
//
//   engine_threads fixed [N]    N handshakes with Connection's rules now
//                               (native/binding/connection.h): the engine's one
//                               owner moves into the step (core/engine_step.h)
//                               and every call is refused until it is back.
//                               Exit 0; ThreadSanitizer stays silent.
//   engine_threads pre-fix [N]  the same handshakes and calls with Connection's
//                               rules before the entry guard: the step ran on a
//                               raw pointer to the engine its driver kept
//                               (HandshakeWorker::Execute: conn_->engine_.get())
//                               and the switches wrote the engine with no
//                               in-flight check. ThreadSanitizer reports the
//                               data race (exit 66).
//   engine_threads abandon [N]  the driver goes away during each step (destroy()):
//                               the step frees the engine once it is back.
//
// scripts/tsan.sh builds it with -fsanitize=thread and runs the three.
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/engine_step.h"
#include "core/tls_engine.h"
#include "tls_harness.h"  // native/fuzz/: contexts set up as SecureContext sets them up

namespace {

using otls::Cycle;
using otls::EngineOptions;
using otls::EngineStep;
using otls::TlsEngine;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "engine_threads: %s\n", what);
  std::exit(1);
}

enum class Rules { kFixed, kPreFix };

// What a call on the driver came to.
enum class Entry { kDone, kRefusedInStep, kClosed };

// A server driver with Connection's rules (kFixed: now; kPreFix: before the
// entry guard). The "pool" is a std::thread; Join plays libuv's After callback
// on the driver's thread.
class Driver final : private EngineStep::Owner {
 public:
  Driver(Rules rules, SSL_CTX* ctx) : rules_(rules), engine_(std::make_unique<TlsEngine>()) {
    EngineOptions options;
    options.is_server = true;
    if (engine_->Init(ctx, options) != nullptr) Fail("engine init failed");
  }
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;
  virtual ~Driver() {
    if (pool_.joinable()) Fail("a driver went away with its step running (see Abandon)");
  }

  bool in_step() const { return pool_.joinable(); }
  bool handshake_done() const { return engine_ && engine_->handshake_done(); }
  size_t keylog_lines() const { return keylog_lines_; }
  size_t sessions() const { return sessions_; }

  Entry SetReportKeylog(bool on) {
    // Before: "allowed after destroy() too: it only decides what later calls
    // report", and nothing about a step in flight.
    if (rules_ == Rules::kFixed && in_step()) return Entry::kRefusedInStep;
    if (!engine_) return Entry::kClosed;
    engine_->set_report_keylog(on);
    return Entry::kDone;
  }
  Entry SetReportSessions(bool on) {
    if (rules_ == Rules::kFixed && in_step()) return Entry::kRefusedInStep;
    if (!engine_) return Entry::kClosed;
    engine_->set_report_sessions(on);
    return Entry::kDone;
  }

  // receiveAsync(): the input goes in here, the handshake step to the "pool".
  Entry ReceiveAsync(const std::vector<unsigned char>& input, std::vector<unsigned char>* output) {
    // Both rules refused this one (Require checked the in-flight flag).
    if (in_step()) return Entry::kRefusedInStep;
    if (!engine_) return Entry::kClosed;
    Cycle cycle;
    if (!engine_->Feed(input.data(), input.size(), &cycle)) Fail("feed failed");
    output_ = output;
    if (!engine_->NeedsHandshakeStep()) {
      engine_->Advance(&cycle);
      Finish(&cycle);
      return Entry::kDone;
    }
    if (rules_ == Rules::kFixed) {
      // The engine moves into the step: engine_ is null until it is back.
      EngineStep::Owner* owner = this;
      step_ = std::make_unique<EngineStep>(std::move(engine_), owner);
      EngineStep* step = step_.get();
      pool_ = std::thread([step] { step->Run(); });
    } else {
      // The step borrows the engine the driver keeps.
      TlsEngine* shared = engine_.get();
      Cycle* step_cycle = &pre_fix_cycle_;
      *step_cycle = Cycle();
      pool_ = std::thread([shared, step_cycle] { otls::RunPoolHandshakeStep(shared, step_cycle); });
    }
    return Entry::kDone;
  }

  // The step's completion on the driver's thread (libuv's After).
  void Join() {
    if (!pool_.joinable()) return;
    pool_.join();
    if (rules_ == Rules::kFixed) {
      std::unique_ptr<EngineStep> step = std::move(step_);
      step->Complete();  // OnStepDone
    } else {
      OnStepDone(std::move(engine_), &pre_fix_cycle_);
    }
  }

  // destroy() during a step (kFixed): the driver lets go of its step, which
  // the "pool" keeps (as libuv keeps a PoolStep's job) with its thread.
  struct Orphan {
    std::thread thread;
    std::unique_ptr<EngineStep> step;
  };
  Orphan Abandon() {
    if (step_) step_->Abandon();
    return Orphan{std::move(pool_), std::move(step_)};
  }

 private:
  void OnStepDone(std::unique_ptr<TlsEngine> engine, Cycle* cycle) noexcept override {
    engine_ = std::move(engine);
    if ((cycle->status & otls::kHandshakeDone) != 0) engine_->Advance(cycle);
    Finish(cycle);
  }

  // Connection::Finish: what the call produced, and the bytes for the peer.
  void Finish(Cycle* cycle) {
    engine_->Collect(cycle);
    if ((cycle->status & otls::kError) != 0) Fail("the server's handshake failed");
    keylog_lines_ += cycle->outputs.keylog.size();
    sessions_ += cycle->outputs.sessions.size();
    output_->resize(engine_->PendingOutput());
    if (engine_->ReadOutput(output_->data(), output_->size()) != output_->size()) Fail("short output read");
    ERR_clear_error();
  }

  Rules rules_;
  std::unique_ptr<TlsEngine> engine_;
  std::unique_ptr<EngineStep> step_;
  std::thread pool_;
  Cycle pre_fix_cycle_;
  std::vector<unsigned char>* output_ = nullptr;
  size_t keylog_lines_ = 0;
  size_t sessions_ = 0;
};

// A client engine on the driver's thread: its output after each call.
std::vector<unsigned char> ClientCall(TlsEngine* client, const std::vector<unsigned char>& input) {
  Cycle cycle;
  if (!input.empty()) client->Feed(input.data(), input.size(), &cycle);
  client->Advance(&cycle);
  client->Collect(&cycle);
  if ((cycle.status & otls::kError) != 0) Fail("the client's handshake failed");
  std::vector<unsigned char> out(client->PendingOutput());
  if (client->ReadOutput(out.data(), out.size()) != out.size()) Fail("short output read");
  ERR_clear_error();
  return out;
}

std::unique_ptr<TlsEngine> Client() {
  auto client = std::make_unique<TlsEngine>();
  EngineOptions options;
  options.servername = "fuzz.example";
  if (client->Init(otls_fuzz::Context(false), options) != nullptr) Fail("client init failed");
  return client;
}

struct Counts {
  long refused = 0;
  long let_in = 0;
};

// JS's calls while a step is in flight: the switches, and more input.
void CallDuringStep(Driver* server, Counts* counts) {
  for (int i = 0; i < 200 && server->in_step(); ++i) {
    for (Entry e : {server->SetReportKeylog(true), server->SetReportSessions(true)}) {
      if (e == Entry::kRefusedInStep) ++counts->refused;
      if (e == Entry::kDone) ++counts->let_in;
    }
    std::vector<unsigned char> ignored;
    if (server->ReceiveAsync({}, &ignored) != Entry::kRefusedInStep) Fail("receiveAsync during a step was let in");
    std::this_thread::yield();
  }
}

int Handshakes(Rules rules, int handshakes) {
  Counts counts;
  size_t keylog = 0;
  size_t sessions = 0;
  for (int i = 0; i < handshakes; ++i) {
    Driver server(rules, otls_fuzz::Context(false));
    std::unique_ptr<TlsEngine> client = Client();
    std::vector<unsigned char> to_server = ClientCall(client.get(), {});
    std::vector<unsigned char> to_client;
    // TLS 1.3: step 1 (the ClientHello), step 2 (the client's Finished).
    for (int step = 0; step < 2 && !server.handshake_done(); ++step) {
      if (server.ReceiveAsync(to_server, &to_client) != Entry::kDone) Fail("receiveAsync refused");
      CallDuringStep(&server, &counts);
      server.Join();
      // Back on the driver's thread: the switches are let in again.
      if (server.SetReportKeylog(true) != Entry::kDone) Fail("setReportKeylog refused after the step");
      if (server.SetReportSessions(true) != Entry::kDone) Fail("setReportSessions refused after the step");
      to_server = ClientCall(client.get(), to_client);
    }
    if (!server.handshake_done() || !client->handshake_done()) Fail("the handshake did not complete");
    keylog += server.keylog_lines();
    sessions += server.sessions();
  }
  if (rules == Rules::kFixed && counts.let_in > 0) Fail("a switch was let in during a step");
  std::printf(
      "%s: %d handshakes, 2 steps each on a second thread; during them %ld calls refused, %ld let in; "
      "%zu keylog lines and %zu sessions reported\n",
      rules == Rules::kFixed ? "fixed" : "pre-fix", handshakes, counts.refused, counts.let_in, keylog, sessions);
  return 0;
}

int Abandon(int handshakes) {
  for (int i = 0; i < handshakes; ++i) {
    auto server = std::make_unique<Driver>(Rules::kFixed, otls_fuzz::Context(false));
    std::unique_ptr<TlsEngine> client = Client();
    std::vector<unsigned char> to_client;
    if (server->ReceiveAsync(ClientCall(client.get(), {}), &to_client) != Entry::kDone) Fail("receiveAsync refused");
    Driver::Orphan orphan = server->Abandon();
    // The driver is gone while its step still runs...
    server.reset();
    // ...and the step, back on this thread, frees the engine itself.
    orphan.thread.join();
    orphan.step->Complete();
  }
  std::printf("abandon: %d drivers gone during their step, each engine freed by the step\n", handshakes);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "fixed";
  const int n = argc > 2 ? std::atoi(argv[2]) : 50;
  if (mode == "fixed") return Handshakes(Rules::kFixed, n);
  if (mode == "pre-fix") return Handshakes(Rules::kPreFix, n);
  if (mode == "abandon") return Abandon(n);
  std::fprintf(stderr, "usage: engine_threads fixed|pre-fix|abandon [N]\n");
  return 2;
}
