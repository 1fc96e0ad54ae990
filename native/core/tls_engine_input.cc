// TlsEngine's input (core/tls_engine.h): bytes lent by a socket read, and what
// reading a record straight into a RecordSink needs (docs/ARCHITECTURE.md, "The
// native TCP transport").
#include <openssl/ssl.h>

#include <algorithm>
#include <new>

#include "core/byte_queue.h"
#include "core/read_buffer.h"
#include "core/tls_engine.h"

namespace otls {

bool TlsEngine::Lend(const unsigned char* data, size_t len, Cycle* cycle) {
  ByteQueue* queue = QueueOf(in_);
  if (!progress_.failed && queue != nullptr && !queue->Lend(reinterpret_cast<const char*>(data), len)) {
    Fail(cycle, SSL_ERROR_SSL);
  }
  return !progress_.failed;
}

bool TlsEngine::KeepInput(Cycle* cycle) {
  ByteQueue* queue = QueueOf(in_);
  if (queue == nullptr || queue->Keep()) return true;
  FailOutOfMemory(cycle, "Out of memory reading input");
  return false;
}

namespace {

constexpr size_t kRecordHeader = 5;
constexpr size_t kMaxCleartext = 16384;
// The largest record body OpenSSL takes from a peer in every version (TLS 1.3's
// limit; TLS 1.2's is 64 more): a longer one goes to OpenSSL at once, to fail as it
// would have without waiting for the rest of it.
constexpr size_t kMaxRecordBody = SSL3_RT_MAX_TLS13_ENCRYPTED_LENGTH;

// Bytes an application data record carries besides its cleartext, for the AEAD
// ciphers whose overhead is fixed; 0 for the others (their records go through
// ReadBuffer()). Padding (TLS 1.3) only makes the cleartext shorter.
size_t AeadOverhead(const SSL* ssl) {
  const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl);
  if (cipher == nullptr) return 0;
  const int nid = SSL_CIPHER_get_cipher_nid(cipher);
  const bool gcm = nid == NID_aes_128_gcm || nid == NID_aes_256_gcm;
  if (!gcm && nid != NID_chacha20_poly1305) return 0;
  constexpr size_t kTag = 16;
  if (SSL_version(ssl) == TLS1_3_VERSION) return kTag + 1;  // and the inner content type
  return gcm ? kTag + 8 : kTag;                             // GCM: and the explicit nonce
}

}  // namespace

size_t TlsEngine::NextRecordCleartext(bool* partial) const {
  *partial = false;
  const SSL* ssl = ssl_.get();
  if (SSL_has_pending(ssl) != 0) return 0;
  const ByteQueue* queue = QueueOf(in_);
  unsigned char header[kRecordHeader];
  if (queue == nullptr || queue->Peek(reinterpret_cast<char*>(header), kRecordHeader) < kRecordHeader) return 0;
  const size_t body = (size_t{header[3]} << 8) | header[4];
  constexpr unsigned char kChangeCipherSpec = 20;
  constexpr unsigned char kApplicationData = 23;
  // Not a record header OpenSSL would wait for: it judges it now.
  if (header[0] < kChangeCipherSpec || header[0] > kApplicationData || header[1] != 3 || body > kMaxRecordBody) {
    return 0;
  }
  if (queue->size() < kRecordHeader + body) {
    *partial = true;
    return 0;
  }
  const size_t overhead = header[0] == kApplicationData ? AeadOverhead(ssl) : 0;
  if (overhead == 0 || body <= overhead || body - overhead > kMaxCleartext) return 0;
  return body - overhead;
}

void* TlsEngine::ReadRest(const unsigned char* head, size_t head_len, RecordSink* sink, size_t* len) {
  SSL* ssl = ssl_.get();
  const size_t rest = static_cast<size_t>(SSL_pending(ssl));
  ReadBuf& buf = ReadBuffer();
  if (!buf.Grow(head_len + rest, 0)) return nullptr;
  std::copy_n(head, head_len, buf.data());
  // What OpenSSL has decrypted already: this read cannot fail.
  size_t n = 0;
  if (SSL_read_ex(ssl, buf.data() + head_len, rest, &n) != 1) n = 0;
  *len = head_len + n;
  return sink->Copy(buf.data(), *len);
}

bool TlsEngine::Sunk(Cycle* cycle, void* record, size_t n) {
  if (record != nullptr) {
    try {
      cycle->sunk.push_back(record);
      cycle->cleartext += n;
      return true;
    } catch (const std::bad_alloc&) {
    }
  }
  FailOutOfMemory(cycle, "Out of memory reading cleartext");
  return false;
}

}  // namespace otls
