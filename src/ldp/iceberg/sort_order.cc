#include "ldp/iceberg/sort_order.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "ldp/iceberg/partitioning.h"
#include "ldp/iceberg/term_text.h"

namespace ldp::iceberg {
namespace {

using internal::LowerText;
using internal::SplitTopLevelTerms;
using internal::TrimText;

// Takes the last whitespace-separated word of `s` when it is outside quotes and parentheses.
bool PopWord(std::string* s, std::string* word) {
  std::string t = TrimText(*s);
  if (t.empty() || t.back() == '"' || t.back() == ')') return false;
  size_t sp = t.find_last_of(" \t");
  if (sp == std::string::npos) return false;
  *word = LowerText(t.substr(sp + 1));
  *s = TrimText(t.substr(0, sp));
  return true;
}

Result<SortTerm> ParseOne(const std::string& text) {
  if (text.empty()) return InvalidArgument("sort text has an empty term");
  std::string expr = text;
  bool has_dir = false, has_nulls = false, nulls_first = true, desc = false;
  // From the end: [asc|desc] [nulls first|last].
  std::string w1, w2;
  std::string probe = expr;
  if (PopWord(&probe, &w1) && (w1 == "first" || w1 == "last")) {
    std::string rest = probe;
    if (PopWord(&rest, &w2) && w2 == "nulls") {
      has_nulls = true;
      nulls_first = w1 == "first";
      expr = rest;
    } else {
      return InvalidArgument("sort term '{}': expected 'nulls first' or 'nulls last'", text);
    }
  }
  probe = expr;
  if (PopWord(&probe, &w1) && (w1 == "asc" || w1 == "desc")) {
    has_dir = true;
    desc = w1 == "desc";
    expr = probe;
  }
  (void)has_dir;
  auto terms = ParsePartitionTerms(expr);
  if (!terms.ok()) return InvalidArgument("sort term '{}': {}", text, terms.status().message());
  if (terms->size() != 1) return InvalidArgument("sort term '{}': expected one column or transform", text);
  std::string col = (*terms)[0].column;
  if (col.find_first_of(" \t") != std::string::npos && expr.find('"') == std::string::npos)
    return InvalidArgument("sort term '{}': expected COLUMN [asc|desc] [nulls first|nulls last]", text);
  SortTerm out;
  out.transform = (*terms)[0].transform;
  out.column = col;
  out.descending = desc;
  out.nulls_first = has_nulls ? nulls_first : !desc;
  out.text = text;
  return out;
}

}  // namespace

Result<std::vector<SortTerm>> ParseSortTerms(std::string_view text) {
  std::string t = TrimText(text);
  std::vector<SortTerm> out;
  if (t.empty() || LowerText(t) == "unsorted") return out;
  LDP_ASSIGN_OR_RAISE(auto parts, SplitTopLevelTerms(t, "sort text"));
  for (const auto& p : parts) {
    LDP_ASSIGN_OR_RAISE(auto term, ParseOne(p));
    out.push_back(std::move(term));
  }
  return out;
}

Result<SortOrder> BindSortOrder(const std::vector<SortTerm>& terms, const Schema& schema, int32_t order_id) {
  SortOrder order;
  order.order_id = order_id;
  std::set<std::pair<int32_t, std::string>> seen;
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
    if (!field) return InvalidArgument("sort term '{}': no column '{}' in the table's schema", term.text, term.column);
    if (!field->type || !field->type->is_primitive())
      return InvalidArgument("sort term '{}': column '{}' is {}, only primitive columns can be sorted by", term.text,
                             field->name, field->type ? field->type->ToString() : "?");
    if (term.transform.kind == TransformKind::kVoid)
      return InvalidArgument("sort term '{}': void sorts nothing", term.text);
    if (!CanTransform(term.transform, *field->type))
      return InvalidArgument("sort term '{}': {} cannot be applied to column '{}' of type {}", term.text,
                             term.transform.ToString(), field->name, field->type->ToString());
    SortField sf;
    sf.transform = term.transform.ToString();
    sf.source_id = field->id;
    sf.direction = term.descending ? "desc" : "asc";
    sf.null_order = term.nulls_first ? "nulls-first" : "nulls-last";
    if (!seen.insert({sf.source_id, sf.transform}).second)
      return InvalidArgument("sort term '{}': the order already sorts by {} of column '{}'", term.text, sf.transform,
                             field->name);
    order.fields.push_back(std::move(sf));
  }
  return order;
}

bool SameSortFields(const SortOrder& a, const SortOrder& b) {
  if (a.fields.size() != b.fields.size()) return false;
  for (size_t i = 0; i < a.fields.size(); ++i) {
    const auto& x = a.fields[i];
    const auto& y = b.fields[i];
    auto tx = ParseTransform(x.transform);
    auto ty = ParseTransform(y.transform);
    bool same_transform = tx.ok() && ty.ok() ? *tx == *ty : x.transform == y.transform;
    if (!same_transform || x.source_id != y.source_id || x.direction != y.direction || x.null_order != y.null_order)
      return false;
  }
  return true;
}

const SortOrder* DefaultSortOrder(const TableMetadata& m) {
  for (const auto& o : m.sort_orders)
    if (o.order_id == m.default_sort_order_id) return &o;
  return nullptr;
}

std::string SortOrderText(const SortOrder& order, const Schema& schema) {
  if (order.fields.empty()) return "unsorted";
  std::string out;
  for (const auto& f : order.fields) {
    // The column or transform term is written as in a partition text.
    PartitionSpec one;
    one.fields.push_back({f.source_id, 1000, "x", f.transform});
    out += fmt::format("{}{} {} {}", out.empty() ? "" : ", ", PartitionSpecText(one, schema), f.direction,
                       f.null_order == "nulls-first" ? "nulls first" : "nulls last");
  }
  return out;
}

Result<SortOrderEvolution> EvolveSortOrder(const TableMetadata& base, std::string_view text) {
  SchemaPtr schema = base.CurrentSchema();
  if (!schema) return Internal("table has no current schema");
  LDP_ASSIGN_OR_RAISE(auto terms, ParseSortTerms(text));
  int32_t new_id = 1;
  for (const auto& o : base.sort_orders) new_id = std::max(new_id, o.order_id + 1);
  LDP_ASSIGN_OR_RAISE(SortOrder order, BindSortOrder(terms, *schema, terms.empty() ? 0 : new_id));
  SortOrderEvolution out;
  out.metadata = std::make_shared<TableMetadata>(base);
  for (const auto& o : base.sort_orders) {
    bool same = terms.empty() ? (o.order_id == 0 || o.fields.empty()) : (o.order_id != 0 && SameSortFields(o, order));
    if (!same) continue;
    out.order_id = o.order_id;
    out.changed = base.default_sort_order_id != o.order_id;
    out.metadata->default_sort_order_id = o.order_id;
    return out;
  }
  // The spec reserves order id 0 for the unsorted order.
  out.metadata->sort_orders.push_back(order);
  out.metadata->default_sort_order_id = order.order_id;
  out.order_id = order.order_id;
  out.changed = true;
  return out;
}

}  // namespace ldp::iceberg
