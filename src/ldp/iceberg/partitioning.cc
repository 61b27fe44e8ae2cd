#include "ldp/iceberg/partitioning.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <set>

#include "ldp/iceberg/literal_internal.h"
#include "ldp/iceberg/term_text.h"

namespace ldp::iceberg {
namespace {

using internal::LowerText;
using internal::SplitTopLevelTerms;
using internal::TrimText;

// A column name as written: bare, or "double quoted" with "" for a quote.
Result<std::string> Unquote(const std::string& s, const std::string& term) {
  if (s.empty()) return InvalidArgument("partition term '{}': no column named", term);
  if (s.front() != '"') {
    for (char c : s)
      if (c == '"' || c == ',' || c == '(' || c == ')')
        return InvalidArgument("partition term '{}': '{}' is not a column name", term, s);
    return s;
  }
  if (s.size() < 2 || s.back() != '"')
    return InvalidArgument("partition term '{}': unbalanced quote in '{}'", term, s);
  std::string out;
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    if (s[i] == '"') {
      if (i + 2 < s.size() && s[i + 1] == '"') {
        out += '"';
        ++i;
        continue;
      }
      return InvalidArgument("partition term '{}': unbalanced quote in '{}'", term, s);
    }
    out += s[i];
  }
  return out;
}

Result<int32_t> PositiveInt(const std::string& s, const std::string& term, const char* what) {
  std::string t = TrimText(s);
  if (t.empty() || t.size() > 10 || !std::all_of(t.begin(), t.end(), [](char c) { return c == '-' || std::isdigit(static_cast<unsigned char>(c)); }))
    return InvalidArgument("partition term '{}': {} must be a positive integer, got '{}'", term, what, t);
  int64_t n = 0;
  try {
    n = std::stoll(t);
  } catch (...) {
    return InvalidArgument("partition term '{}': {} must be a positive integer, got '{}'", term, what, t);
  }
  if (n <= 0 || n > std::numeric_limits<int32_t>::max())
    return InvalidArgument("partition term '{}': {} must be a positive integer, got {}", term, what, n);
  return static_cast<int32_t>(n);
}

Result<PartitionTerm> ParseTerm(const std::string& term) {
  PartitionTerm out;
  out.text = term;
  if (term.empty()) return InvalidArgument("partition text has an empty term");
  size_t open = std::string::npos;
  if (term.front() != '"') open = term.find('(');
  if (open == std::string::npos) {
    LDP_ASSIGN_OR_RAISE(out.column, Unquote(term, term));
    return out;  // identity
  }
  if (term.back() != ')') return InvalidArgument("partition term '{}': expected NAME(...)", term);
  std::string name = LowerText(TrimText(term.substr(0, open)));
  std::string inner = term.substr(open + 1, term.size() - open - 2);
  LDP_ASSIGN_OR_RAISE(auto args, SplitTopLevelTerms(inner, "partition text"));
  // The spec's own spelling: bucket[16](col), truncate[4](col).
  std::optional<int32_t> bracket;
  if (auto lb = name.find('['); lb != std::string::npos) {
    if (name.back() != ']') return InvalidArgument("partition term '{}': malformed transform '{}'", term, name);
    LDP_ASSIGN_OR_RAISE(bracket, PositiveInt(name.substr(lb + 1, name.size() - lb - 2), term, "the parameter"));
    name = TrimText(name.substr(0, lb));
  }
  static const std::pair<const char*, TransformKind> kOneArg[] = {
      {"identity", TransformKind::kIdentity}, {"year", TransformKind::kYear},   {"years", TransformKind::kYear},
      {"month", TransformKind::kMonth},       {"months", TransformKind::kMonth}, {"day", TransformKind::kDay},
      {"days", TransformKind::kDay},          {"hour", TransformKind::kHour},   {"hours", TransformKind::kHour},
      {"void", TransformKind::kVoid}};
  for (const auto& [n, kind] : kOneArg) {
    if (name != n) continue;
    if (bracket) return InvalidArgument("partition term '{}': {} takes no parameter", term, name);
    if (args.size() != 1) return InvalidArgument("partition term '{}': {} takes one column", term, name);
    out.transform.kind = kind;
    LDP_ASSIGN_OR_RAISE(out.column, Unquote(args[0], term));
    return out;
  }
  if (name == "bucket" || name == "truncate") {
    out.transform.kind = name == "bucket" ? TransformKind::kBucket : TransformKind::kTruncate;
    const char* what = name == "bucket" ? "the number of buckets" : "the width";
    if (bracket) {
      if (args.size() != 1) return InvalidArgument("partition term '{}': {}[N] takes one column", term, name);
      out.transform.param = *bracket;
      LDP_ASSIGN_OR_RAISE(out.column, Unquote(args[0], term));
      return out;
    }
    if (args.size() != 2)
      return InvalidArgument("partition term '{}': {} takes ({}, column), e.g. {}(16, id)", term, name,
                             name == "bucket" ? "N" : "W", name);
    // Spark writes bucket(N, col); accept bucket(col, N) too, as long as one side is a number.
    std::string a = TrimText(args[0]), b = TrimText(args[1]);
    bool a_num = !a.empty() && (std::isdigit(static_cast<unsigned char>(a[0])) || a[0] == '-');
    bool b_num = !b.empty() && (std::isdigit(static_cast<unsigned char>(b[0])) || b[0] == '-');
    if (!a_num && b_num) std::swap(a, b);
    LDP_ASSIGN_OR_RAISE(out.transform.param, PositiveInt(a, term, what));
    LDP_ASSIGN_OR_RAISE(out.column, Unquote(b, term));
    return out;
  }
  return InvalidArgument(
      "partition term '{}': unknown transform '{}' (use identity, bucket, truncate, year, month, day, hour or void)",
      term, name);
}

std::string FieldName(const std::string& column, const Transform& t) {
  switch (t.kind) {
    case TransformKind::kIdentity: return column;
    case TransformKind::kBucket: return column + "_bucket";
    case TransformKind::kTruncate: return column + "_trunc";
    case TransformKind::kYear: return column + "_year";
    case TransformKind::kMonth: return column + "_month";
    case TransformKind::kDay: return column + "_day";
    case TransformKind::kHour: return column + "_hour";
    case TransformKind::kVoid: return column + "_null";
    case TransformKind::kUnknown: break;
  }
  return column + "_" + t.ToString();
}

bool SameTransform(const std::string& a, const std::string& b) {
  auto ta = ParseTransform(a);
  auto tb = ParseTransform(b);
  if (!ta.ok() || !tb.ok()) return a == b;
  if (ta->kind == TransformKind::kUnknown || tb->kind == TransformKind::kUnknown) return a == b;
  return *ta == *tb;
}

bool IsIntegerLike(TypeId t) {
  switch (t) {
    case TypeId::kInt: case TypeId::kLong: case TypeId::kDate: case TypeId::kTime:
    case TypeId::kTimestamp: case TypeId::kTimestampTz: case TypeId::kTimestampNs: case TypeId::kTimestampTzNs:
    case TypeId::kDecimal:
      return true;
    default:
      return false;
  }
}

// v + delta for an integer-like literal (the next / previous representable value).
std::optional<Literal> Step(const Literal& v, int delta) {
  Literal out = v;
  if (std::holds_alternative<int64_t>(v.value)) {
    int64_t x = std::get<int64_t>(v.value);
    if ((delta < 0 && x == std::numeric_limits<int64_t>::min()) || (delta > 0 && x == std::numeric_limits<int64_t>::max()))
      return std::nullopt;
    out.value = x + delta;
    return out;
  }
  if (std::holds_alternative<DecimalValue>(v.value)) {
    DecimalValue d = std::get<DecimalValue>(v.value);
    d.unscaled += delta;
    out.value = d;
    return out;
  }
  return std::nullopt;
}

bool IsNaN(const Literal& l) {
  return std::holds_alternative<double>(l.value) && std::isnan(std::get<double>(l.value));
}

using Op = ColumnPredicate::Op;

// Evaluates one projected predicate against one partition value (nullopt = null).
bool ValueMayMatch(const ColumnPredicate& p, const std::optional<Literal>& v) {
  switch (p.op) {
    case Op::kIsNull: return !v.has_value();
    case Op::kNotNull: return v.has_value();
    default: break;
  }
  if (!v) return false;  // a comparison is never true for null
  if (IsNaN(*v)) return true;
  for (const auto& x : p.values)
    if (IsNaN(x)) return true;
  if (p.values.empty()) return true;
  int c = CompareLiterals(*v, p.values[0]);
  switch (p.op) {
    case Op::kEq: return c == 0;
    case Op::kLt: return c < 0;
    case Op::kLe: return c <= 0;
    case Op::kGt: return c > 0;
    case Op::kGe: return c >= 0;
    case Op::kIn:
      for (const auto& x : p.values)
        if (CompareLiterals(*v, x) == 0) return true;
      return false;
    default: return true;
  }
}

}  // namespace

Result<std::vector<PartitionTerm>> ParsePartitionTerms(std::string_view text) {
  std::string t = TrimText(text);
  std::vector<PartitionTerm> out;
  if (t.empty() || LowerText(t) == "unpartitioned") return out;
  LDP_ASSIGN_OR_RAISE(auto parts, SplitTopLevelTerms(t, "partition text"));
  for (const auto& p : parts) {
    LDP_ASSIGN_OR_RAISE(auto term, ParseTerm(p));
    out.push_back(std::move(term));
  }
  return out;
}

Result<PartitionSpec> BindPartitionSpec(const std::vector<PartitionTerm>& terms, const Schema& schema,
                                        int32_t spec_id, const std::vector<PartitionSpec>& previous,
                                        int32_t last_partition_id) {
  PartitionSpec spec;
  spec.spec_id = spec_id;
  int32_t next_id = std::max(last_partition_id, 999);
  std::set<std::pair<int32_t, std::string>> seen;
  std::set<std::string> names;
  for (const auto& term : terms) {
    const NestedField* field = schema.FindTopLevelField(term.column);
    if (!field) {
      const NestedField* ci = nullptr;
      int matches = 0;
      for (const auto& f : schema.fields())
        if (LowerText(f.name) == LowerText(term.column)) {
          ci = &f;
          matches++;
        }
      if (matches == 1) field = ci;
    }
    if (!field)
      return InvalidArgument("partition term '{}': no column '{}' in the table's schema", term.text, term.column);
    if (!field->type || !field->type->is_primitive())
      return InvalidArgument("partition term '{}': column '{}' is {}, only primitive columns can be partitioned by",
                             term.text, field->name, field->type ? field->type->ToString() : "?");
    if (!CanTransform(term.transform, *field->type))
      return InvalidArgument("partition term '{}': {} cannot be applied to column '{}' of type {}", term.text,
                             term.transform.ToString(), field->name, field->type->ToString());
    PartitionField pf;
    pf.source_id = field->id;
    pf.transform = term.transform.ToString();
    if (!seen.insert({field->id, pf.transform}).second)
      return InvalidArgument("partition term '{}': the spec already has {} of column '{}'", term.text, pf.transform,
                             field->name);
    pf.name = FieldName(field->name, term.transform);
    bool reused = false;
    for (const auto& old : previous) {
      for (const auto& of : old.fields) {
        if (of.source_id == pf.source_id && SameTransform(of.transform, pf.transform)) {
          pf.field_id = of.field_id;
          pf.name = of.name;
          reused = true;
          break;
        }
      }
      if (reused) break;
    }
    if (!reused) pf.field_id = ++next_id;
    if (!names.insert(pf.name).second)
      return InvalidArgument("partition term '{}': two partition fields would be named '{}'", term.text, pf.name);
    // Partition field names must not shadow a different column (spec: identity fields excepted).
    if (const NestedField* clash = schema.FindTopLevelField(pf.name);
        clash && !(term.transform.kind == TransformKind::kIdentity && clash->id == field->id))
      return InvalidArgument("partition term '{}': partition field name '{}' is also a column of the table",
                             term.text, pf.name);
    spec.fields.push_back(std::move(pf));
  }
  return spec;
}

bool SameLayout(const PartitionSpec& a, const PartitionSpec& b) {
  if (a.fields.size() != b.fields.size()) return false;
  for (size_t i = 0; i < a.fields.size(); ++i) {
    if (a.fields[i].source_id != b.fields[i].source_id) return false;
    if (!SameTransform(a.fields[i].transform, b.fields[i].transform)) return false;
  }
  return true;
}

Result<SpecEvolution> EvolvePartitionSpec(const TableMetadata& base, std::string_view text) {
  SchemaPtr schema = base.CurrentSchema();
  if (!schema) return Internal("table {} has no current schema", base.location);
  LDP_ASSIGN_OR_RAISE(auto terms, ParsePartitionTerms(text));
  int32_t new_id = 0;
  for (const auto& s : base.partition_specs) new_id = std::max(new_id, s.spec_id + 1);
  LDP_ASSIGN_OR_RAISE(PartitionSpec spec,
                      BindPartitionSpec(terms, *schema, new_id, base.partition_specs, base.last_partition_id));
  SpecEvolution out;
  out.metadata = std::make_shared<TableMetadata>(base);
  const PartitionSpec* current = base.DefaultSpec();
  if (current && SameLayout(*current, spec)) {
    out.spec_id = current->spec_id;
    return out;
  }
  out.changed = true;
  for (const auto& s : base.partition_specs) {
    if (SameLayout(s, spec)) {
      out.metadata->default_spec_id = s.spec_id;
      out.spec_id = s.spec_id;
      return out;
    }
  }
  for (const auto& f : spec.fields) out.metadata->last_partition_id = std::max(out.metadata->last_partition_id, f.field_id);
  out.metadata->partition_specs.push_back(spec);
  out.metadata->default_spec_id = spec.spec_id;
  out.spec_id = spec.spec_id;
  return out;
}

std::string PartitionSpecText(const PartitionSpec& spec, const Schema& schema) {
  if (spec.fields.empty()) return "unpartitioned";
  std::string out;
  for (const auto& f : spec.fields) {
    const NestedField* src = schema.FindFieldById(f.source_id);
    std::string col = src ? src->name : fmt::format("#{}", f.source_id);
    if (col.find_first_of(" ,()\"") != std::string::npos) {
      std::string q = "\"";
      for (char c : col) q += c == '"' ? std::string("\"\"") : std::string(1, c);
      col = q + "\"";
    }
    if (!out.empty()) out += ", ";
    auto t = ParseTransform(f.transform);
    if (t.ok() && t->kind == TransformKind::kIdentity) {
      out += col;
    } else if (t.ok() && (t->kind == TransformKind::kBucket || t->kind == TransformKind::kTruncate)) {
      out += fmt::format("{}({}, {})", t->kind == TransformKind::kBucket ? "bucket" : "truncate", t->param, col);
    } else {
      out += fmt::format("{}({})", f.transform, col);
    }
  }
  return out;
}

Result<std::vector<PartitionFieldInfo>> PartitionFieldInfos(const PartitionSpec& spec, const Schema& schema) {
  std::vector<PartitionFieldInfo> out;
  for (const auto& f : spec.fields) {
    const NestedField* src = schema.FindFieldById(f.source_id);
    if (!src || !src->type)
      return InvalidArgument("partition field '{}': source column {} is not in the schema", f.name, f.source_id);
    LDP_ASSIGN_OR_RAISE(Transform t, ParseTransform(f.transform));
    LDP_ASSIGN_OR_RAISE(TypePtr rt, TransformResultType(t, *src->type));
    out.push_back({f.field_id, f.name, rt->ToString()});
  }
  return out;
}

PartitionValue ToPartitionValue(const Type& type, const std::optional<Literal>& value) {
  if (!value) return PartitionValue();
  const Literal& l = *value;
  switch (type.id()) {
    case TypeId::kBoolean:
      return std::holds_alternative<bool>(l.value) ? PartitionValue(std::get<bool>(l.value)) : PartitionValue();
    case TypeId::kInt:
    case TypeId::kDate:
      return std::holds_alternative<int64_t>(l.value)
                 ? PartitionValue(static_cast<int32_t>(std::get<int64_t>(l.value)))
                 : PartitionValue();
    case TypeId::kLong: case TypeId::kTime: case TypeId::kTimestamp: case TypeId::kTimestampTz:
    case TypeId::kTimestampNs: case TypeId::kTimestampTzNs:
      return std::holds_alternative<int64_t>(l.value) ? PartitionValue(std::get<int64_t>(l.value)) : PartitionValue();
    case TypeId::kFloat:
      return std::holds_alternative<double>(l.value) ? PartitionValue(static_cast<float>(std::get<double>(l.value)))
                                                     : PartitionValue();
    case TypeId::kDouble:
      return std::holds_alternative<double>(l.value) ? PartitionValue(std::get<double>(l.value)) : PartitionValue();
    case TypeId::kString:
      return std::holds_alternative<std::string>(l.value) ? PartitionValue(std::get<std::string>(l.value))
                                                          : PartitionValue();
    case TypeId::kDecimal:
      return PartitionValue(Bytes{EncodeLiteral(type, l)});
    case TypeId::kUuid: case TypeId::kFixed: case TypeId::kBinary:
      return std::holds_alternative<std::string>(l.value) ? PartitionValue(Bytes{std::get<std::string>(l.value)})
                                                          : PartitionValue();
    default:
      return PartitionValue();
  }
}

std::optional<Literal> FromPartitionValue(const Type& type, const PartitionValue& v) {
  if (std::holds_alternative<std::monostate>(v)) return std::nullopt;
  Literal l;
  l.type = type.id();
  switch (type.id()) {
    case TypeId::kBoolean:
      if (!std::holds_alternative<bool>(v)) return std::nullopt;
      l.value = std::get<bool>(v);
      return l;
    case TypeId::kInt: case TypeId::kDate:
    case TypeId::kLong: case TypeId::kTime: case TypeId::kTimestamp: case TypeId::kTimestampTz:
    case TypeId::kTimestampNs: case TypeId::kTimestampTzNs:
      if (std::holds_alternative<int32_t>(v)) l.value = static_cast<int64_t>(std::get<int32_t>(v));
      else if (std::holds_alternative<int64_t>(v)) l.value = std::get<int64_t>(v);
      else return std::nullopt;
      return l;
    case TypeId::kFloat: case TypeId::kDouble:
      if (std::holds_alternative<float>(v)) l.value = static_cast<double>(std::get<float>(v));
      else if (std::holds_alternative<double>(v)) l.value = std::get<double>(v);
      else return std::nullopt;
      return l;
    case TypeId::kString:
      if (std::holds_alternative<std::string>(v)) l.value = std::get<std::string>(v);
      else if (std::holds_alternative<Bytes>(v)) l.value = std::get<Bytes>(v).data;
      else return std::nullopt;
      return l;
    case TypeId::kDecimal:
      if (!std::holds_alternative<Bytes>(v)) return std::nullopt;
      return DecodeLiteral(type, std::get<Bytes>(v).data);
    case TypeId::kUuid: case TypeId::kFixed: case TypeId::kBinary:
      if (std::holds_alternative<Bytes>(v)) l.value = std::get<Bytes>(v).data;
      else if (std::holds_alternative<std::string>(v)) l.value = std::get<std::string>(v);
      else return std::nullopt;
      return l;
    default:
      return std::nullopt;
  }
}

PartitionFilter ProjectPredicates(const PartitionSpec& spec, const Schema& schema,
                                  const std::vector<ColumnPredicate>& predicates) {
  PartitionFilter out;
  out.spec_id = spec.spec_id;
  for (const auto& f : spec.fields) {
    const NestedField* src = schema.FindFieldById(f.source_id);
    auto t = ParseTransform(f.transform);
    TypePtr rt;
    if (src && src->type && t.ok()) {
      auto r = TransformResultType(*t, *src->type);
      if (r.ok()) rt = *r;
    }
    out.result_types.push_back(rt);
    out.field_ids.push_back(f.field_id);
    if (!rt) continue;  // a field we cannot evaluate never prunes
    const Transform& tr = *t;
    if (tr.kind == TransformKind::kVoid || tr.kind == TransformKind::kUnknown) continue;
    const Type& st = *src->type;
    auto apply = [&](const Literal& v) -> std::optional<Literal> {
      auto r = ApplyTransform(tr, st, v);
      if (!r.ok() || !r->has_value()) return std::nullopt;
      return **r;
    };
    for (const auto& p : predicates) {
      if (p.field_id != f.source_id) continue;
      ColumnPredicate q;
      q.field_id = f.field_id;
      if (p.op == Op::kIsNull || p.op == Op::kNotNull) {
        q.op = p.op;
        out.predicates.push_back(std::move(q));
        continue;
      }
      if (p.values.empty()) continue;
      bool nan = false;
      for (const auto& v : p.values) nan = nan || IsNaN(v);
      if (nan) continue;
      if (tr.kind == TransformKind::kIdentity) {
        q.op = p.op;
        q.values = p.values;
        out.predicates.push_back(std::move(q));
        continue;
      }
      if (p.op == Op::kEq || p.op == Op::kIn) {
        q.op = p.op;
        bool ok = true;
        for (const auto& v : p.values) {
          auto r = apply(v);
          if (!r) {
            ok = false;
            break;
          }
          q.values.push_back(*r);
        }
        if (ok) out.predicates.push_back(std::move(q));
        continue;
      }
      // Ranges project through order-preserving transforms only (not bucket). A strict bound on
      // an integer-like column becomes the inclusive bound next to it first, so that `ts < day
      // start` projects to the previous day, not to that day.
      if (tr.kind == TransformKind::kBucket) continue;
      Literal v = p.values[0];
      Op op = p.op;
      if ((op == Op::kLt || op == Op::kGt) && IsIntegerLike(st.id())) {
        auto stepped = Step(v, op == Op::kLt ? -1 : 1);
        if (!stepped) continue;
        v = *stepped;
        op = op == Op::kLt ? Op::kLe : Op::kGe;
      }
      if (op == Op::kLt) op = Op::kLe;
      if (op == Op::kGt) op = Op::kGe;
      auto r = apply(v);
      if (!r) continue;
      q.op = op;
      q.values.push_back(*r);
      out.predicates.push_back(std::move(q));
    }
  }
  return out;
}

bool PartitionMayMatch(const PartitionFilter& filter, const std::vector<PartitionValue>& partition) {
  if (partition.size() != filter.field_ids.size()) return true;
  for (const auto& p : filter.predicates) {
    for (size_t i = 0; i < filter.field_ids.size(); ++i) {
      if (filter.field_ids[i] != p.field_id || !filter.result_types[i]) continue;
      const Type& type = *filter.result_types[i];
      bool is_null = std::holds_alternative<std::monostate>(partition[i]);
      auto v = FromPartitionValue(type, partition[i]);
      if (!is_null && !v) break;  // unreadable value: no pruning on it
      if (!ValueMayMatch(p, v)) return false;
    }
  }
  return true;
}

bool ManifestMayMatch(const PartitionFilter& filter, const ManifestFile& manifest) {
  if (manifest.partition_spec_id != filter.spec_id) return true;
  if (manifest.partitions.size() != filter.field_ids.size()) return true;
  for (const auto& p : filter.predicates) {
    for (size_t i = 0; i < filter.field_ids.size(); ++i) {
      if (filter.field_ids[i] != p.field_id || !filter.result_types[i]) continue;
      const Type& type = *filter.result_types[i];
      const PartitionFieldSummary& s = manifest.partitions[i];
      if (p.op == Op::kIsNull) {
        if (!s.contains_null) return false;
        continue;
      }
      if (p.op == Op::kNotNull) continue;
      bool floating = type.id() == TypeId::kFloat || type.id() == TypeId::kDouble;
      if (floating && (!s.contains_nan.has_value() || *s.contains_nan)) continue;
      if (!s.lower_bound || !s.upper_bound) {
        // No bounds with null values only: a comparison cannot match.
        if (s.contains_null && !s.lower_bound && !s.upper_bound) return false;
        continue;
      }
      auto lo = DecodeLiteral(type, *s.lower_bound);
      auto hi = DecodeLiteral(type, *s.upper_bound);
      if (!lo || !hi) continue;
      bool may = false;
      switch (p.op) {
        case Op::kEq:
        case Op::kIn:
          for (const auto& v : p.values)
            if (CompareLiterals(v, *lo) >= 0 && CompareLiterals(v, *hi) <= 0) may = true;
          break;
        case Op::kLt: may = CompareLiterals(*lo, p.values[0]) < 0; break;
        case Op::kLe: may = CompareLiterals(*lo, p.values[0]) <= 0; break;
        case Op::kGt: may = CompareLiterals(*hi, p.values[0]) > 0; break;
        case Op::kGe: may = CompareLiterals(*hi, p.values[0]) >= 0; break;
        default: may = true;
      }
      if (!may) return false;
    }
  }
  return true;
}

bool DataFileMayMatch(const TableMetadata& metadata, const Schema& schema, const DataFile& file,
                      const std::vector<ColumnPredicate>& predicates) {
  if (predicates.empty()) return true;
  if (const PartitionSpec* spec = metadata.SpecById(file.spec_id); spec && !spec->fields.empty()) {
    if (!PartitionMayMatch(ProjectPredicates(*spec, schema, predicates), file.partition)) return false;
  }
  return FileMayMatch(schema, file, predicates);
}

}  // namespace ldp::iceberg
