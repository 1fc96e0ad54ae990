// Session ticket keys of an SSL_CTX, and the callback that encrypts and opens
// tickets with them: 16-byte name, 16-byte HMAC-SHA256 key, 16-byte AES-128-CBC
// key. They live in the SSL_CTX's ex_data, so they last exactly as long as the
// SSL_CTX (which an SSL may keep alive after the JS object is gone), and a mutex
// lets setTicketKeys() run while handshakes use them on other threads.
// A key ring: the first key issues tickets; the others (previous keys, during a
// rotation) are still accepted, and a ticket they open is renewed under the first.
#pragma once

#include <openssl/ssl.h>

#include <cstddef>
#include <vector>

namespace otls {

// One key: name (16), HMAC key (16), AES key (16).
constexpr size_t kTicketKeySize = 48;

// Gives ctx one random key and the ticket callback; false (reason queued) on failure.
bool InstallTicketKeys(SSL_CTX* ctx);

// Replaces ctx's key ring (len a non-zero multiple of kTicketKeySize, checked
// by the caller); false when ctx has no ring (not one of ours).
bool SetTicketKeys(SSL_CTX* ctx, const unsigned char* data, size_t len);

// A copy of ctx's key ring, the issuing key first; false when it has none.
bool GetTicketKeys(const SSL_CTX* ctx, std::vector<unsigned char>* out);

}  // namespace otls
