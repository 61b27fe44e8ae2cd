#include "ldp/iceberg/refs.h"

#include <algorithm>
#include <set>

namespace ldp::iceberg {

const Snapshot* BranchHead(const TableMetadata& m, const std::string& branch) {
  if (branch == kMainBranch) return m.CurrentSnapshot();
  auto it = m.refs.find(branch);
  if (it == m.refs.end() || it->second.type != "branch") return nullptr;
  return m.SnapshotById(it->second.snapshot_id);
}

Status CheckWritableBranch(const TableMetadata& m, const std::string& branch) {
  if (branch == kMainBranch) return Status::OK();
  auto it = m.refs.find(branch);
  if (it == m.refs.end())
    return NotFound("no branch '{}' (create it with `ldp branch create`)", branch);
  if (it->second.type != "branch")
    return InvalidArgument("'{}' is a tag, and tags cannot be written to", branch);
  return Status::OK();
}

std::vector<const Snapshot*> Ancestors(const TableMetadata& m, int64_t snapshot_id) {
  std::vector<const Snapshot*> out;
  std::set<int64_t> seen;  // a malformed parent cycle must not loop forever
  for (const Snapshot* s = m.SnapshotById(snapshot_id); s && seen.insert(s->snapshot_id).second;
       s = s->parent_snapshot_id ? m.SnapshotById(*s->parent_snapshot_id) : nullptr) {
    out.push_back(s);
  }
  return out;
}

bool IsAncestor(const TableMetadata& m, int64_t ancestor, int64_t of) {
  for (const Snapshot* s : Ancestors(m, of))
    if (s->snapshot_id == ancestor) return true;
  return false;
}

const Snapshot* LatestMainAncestorBefore(const TableMetadata& m, int64_t timestamp_ms) {
  if (!m.current_snapshot_id) return nullptr;
  for (const Snapshot* s : Ancestors(m, *m.current_snapshot_id))
    if (s->timestamp_ms < timestamp_ms) return s;
  return nullptr;
}

std::vector<std::string> RefsAt(const TableMetadata& m, int64_t snapshot_id) {
  std::vector<std::string> out;
  for (const auto& [name, ref] : m.refs)
    if (ref.snapshot_id == snapshot_id) out.push_back(name);
  std::stable_partition(out.begin(), out.end(), [](const std::string& n) { return n == kMainBranch; });
  return out;
}

Status ValidateRefName(const std::string& name) {
  if (name.empty()) return InvalidArgument("a branch or tag name must not be empty");
  if (name.size() > 255) return InvalidArgument("branch or tag name '{}...' is longer than 255 characters", name.substr(0, 20));
  if (name == "." || name == "..") return InvalidArgument("'{}' is not a valid branch or tag name", name);
  if (std::all_of(name.begin(), name.end(), [](unsigned char c) { return std::isdigit(c); }))
    return InvalidArgument("branch or tag name '{}' is only digits, which reads as a snapshot id", name);
  for (unsigned char c : name) {
    if (std::isspace(c) || c == '@' || c == '"' || c == '/' || c < 0x20)
      return InvalidArgument("branch or tag name '{}' contains '{}' (not allowed: whitespace, '@', '\"', '/')",
                             name, static_cast<char>(c));
  }
  return Status::OK();
}

void SetRef(TableMetadata* m, const std::string& name, const SnapshotRef& ref, int64_t now_ms) {
  if (name == kMainBranch) {
    bool changed = !m->current_snapshot_id || *m->current_snapshot_id != ref.snapshot_id;
    m->current_snapshot_id = ref.snapshot_id;
    if (changed) m->snapshot_log.push_back({now_ms, ref.snapshot_id});
  }
  m->refs[name] = ref;
  m->last_updated_ms = std::max(m->last_updated_ms, now_ms);
}

void RemoveRef(TableMetadata* m, const std::string& name) { m->refs.erase(name); }

}  // namespace ldp::iceberg
