// What the native transport's libuv callbacks share when they talk to JS: calling
// a JS function from the loop, node's error for a failed socket call, and a
// socket address as node shows it.
#pragma once

#include <napi.h>
#include <sys/socket.h>

#include <initializer_list>

namespace otls {

// Calls fn (if it is a function) from a libuv callback: nextTicks and microtasks
// run after it, and what it throws is an uncaught exception, as for any event handler.
void CallFromLoop(Napi::Env env, Napi::Value fn, Napi::Object recv, std::initializer_list<napi_value> args);

// What a libuv callback caught: node's uncaught exception, unless JS can no longer
// run (a worker terminating meanwhile), when it is dropped.
void UncaughtFromLoop(napi_env env, const Napi::Error& e) noexcept;

// node's shape for a failed socket call: "read ECONNRESET", errno, code, syscall.
Napi::Error UvError(Napi::Env env, int err, const char* syscall);

// Sets out[address], out[port], out[family] ('IPv4'/'IPv6') from an address;
// false (nothing set) for another family.
bool PutAddress(Napi::Object out, const sockaddr_storage& ss, const char* address = "address",
                const char* port = "port", const char* family = "family");

}  // namespace otls
