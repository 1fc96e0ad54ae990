// Where a record's cleartext can go instead of ReadBuffer(): memory its driver
// hands on as it is (the binding: a JS Buffer), so the record is decrypted there
// and never copied again (docs/ARCHITECTURE.md, "Reads"). The engine names each
// record by the sink's handle for it; what a handle is, only the sink knows.
#pragma once

#include <cstddef>

namespace otls {

class RecordSink {
 public:
  virtual ~RecordSink() = default;

  // Memory for one record of n bytes, its handle in *record; null when there is
  // none (the engine then reads into ReadBuffer() and calls Copy).
  virtual unsigned char* Reserve(size_t n, void** record) noexcept = 0;
  // A record of a copy of n bytes; null when out of memory.
  virtual void* Copy(const unsigned char* data, size_t n) noexcept = 0;
  // The read that used this sink has been reported: its handles are gone.
  virtual void Release() noexcept = 0;

 protected:
  RecordSink() = default;
  RecordSink(const RecordSink&) = default;
  RecordSink& operator=(const RecordSink&) = default;
  RecordSink(RecordSink&&) = default;
  RecordSink& operator=(RecordSink&&) = default;
};

}  // namespace otls
