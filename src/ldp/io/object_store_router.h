#pragma once
// The file system of a project whose warehouse is on the local disk but that also reads tables on
// object storage (`ldp register NS.T s3://...`, `ldp clone s3://...`; ADR 0023).
//
// Local paths and file:// URIs go to the local disk exactly as LocalFileSystem() does; s3:// and
// s3a:// paths go to an S3 file system that is created on the first such path (so a project that
// never touches object storage loads no S3 client, sends no request and pays one prefix check per
// call). The S3 file system's local mirror (its read cache) is the project's storage.cache-dir.
//
// Thread-safety: thread-safe.

#include <functional>
#include <memory>
#include <string_view>

#include "ldp/io/file_system.h"

namespace ldp::io {

/// Creates the object-store file system; `uri` is the first object-store path asked for (for error
/// messages: missing credentials name the location that needed them).
using ObjectStoreOpener = std::function<Result<std::shared_ptr<FileSystem>>(std::string_view uri)>;

/// The local disk, with s3:// (and s3a://) paths routed to the file system `open` makes on first
/// use. A failed `open` is returned for that call (naming the path) and tried again next time.
std::shared_ptr<FileSystem> MakeObjectStoreRouter(ObjectStoreOpener open);

/// Whether `path` names an object on object storage (s3://, s3a://).
bool IsObjectStorePath(std::string_view path);

/// The object-store file system a router made so far; nullptr when `fs` is not a router or no
/// object-store path was used yet (for tests and statistics).
FileSystem* OpenedObjectStore(FileSystem& fs);

}  // namespace ldp::io
