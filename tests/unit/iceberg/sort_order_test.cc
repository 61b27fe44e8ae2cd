// Sort orders as users write them: parsing, binding (ids, transforms, direction, null order),
// the text form, and evolution (new id, reuse of an equal order, back to unsorted).

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ldp/iceberg/sort_order.h"

namespace ldp::iceberg {
namespace {

SchemaPtr TestSchema() {
  return std::make_shared<Schema>(
      0, std::vector<NestedField>{{1, "id", false, Type::Primitive(TypeId::kLong), ""},
                                  {2, "ts", true, Type::Primitive(TypeId::kTimestamp), ""},
                                  {3, "name", true, Type::Primitive(TypeId::kString), ""},
                                  {4, "my col", true, Type::Primitive(TypeId::kInt), ""},
                                  {5, "tags", true, Type::List(NestedField{6, "element", false, Type::Primitive(TypeId::kString), ""}), ""}});
}

TEST(ParseSortTermsTest, DirectionsAndNullOrdersWithDefaults) {
  auto terms = ParseSortTerms("id, ts DESC, name asc nulls last, day(ts) desc NULLS FIRST, bucket(16, id)");
  ASSERT_TRUE(terms.ok()) << terms.status().ToString();
  ASSERT_EQ(terms->size(), 5u);
  EXPECT_EQ((*terms)[0].column, "id");
  EXPECT_FALSE((*terms)[0].descending);
  EXPECT_TRUE((*terms)[0].nulls_first);   // asc defaults to nulls first
  EXPECT_TRUE((*terms)[1].descending);
  EXPECT_FALSE((*terms)[1].nulls_first);  // desc defaults to nulls last
  EXPECT_FALSE((*terms)[2].nulls_first);
  EXPECT_EQ((*terms)[3].transform.kind, TransformKind::kDay);
  EXPECT_TRUE((*terms)[3].nulls_first);
  EXPECT_EQ((*terms)[4].transform.kind, TransformKind::kBucket);
  EXPECT_EQ((*terms)[4].transform.param, 16);
}

TEST(ParseSortTermsTest, EmptyAndUnsortedGiveNoTerms) {
  EXPECT_TRUE(ParseSortTerms("")->empty());
  EXPECT_TRUE(ParseSortTerms("  UNSORTED ")->empty());
}

TEST(ParseSortTermsTest, BadTermsAreNamed) {
  for (const char* bad : {"id nulls", "id nulls middle", "id, , ts", "day(ts", "id sideways"}) {
    auto r = ParseSortTerms(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument) << bad;
  }
}

TEST(BindSortOrderTest, FieldsCarrySourceIdTransformDirectionNullOrder) {
  auto schema = TestSchema();
  auto order = BindSortOrder(*ParseSortTerms("ID desc, day(ts), \"my col\" asc nulls last"), *schema, 3);
  ASSERT_TRUE(order.ok()) << order.status().ToString();
  EXPECT_EQ(order->order_id, 3);
  ASSERT_EQ(order->fields.size(), 3u);
  EXPECT_EQ(order->fields[0].source_id, 1);
  EXPECT_EQ(order->fields[0].transform, "identity");
  EXPECT_EQ(order->fields[0].direction, "desc");
  EXPECT_EQ(order->fields[0].null_order, "nulls-last");
  EXPECT_EQ(order->fields[1].source_id, 2);
  EXPECT_EQ(order->fields[1].transform, "day");
  EXPECT_EQ(order->fields[2].source_id, 4);
  EXPECT_EQ(order->fields[2].null_order, "nulls-last");
  EXPECT_EQ(SortOrderText(*order, *schema), "id desc nulls last, day(ts) asc nulls first, \"my col\" asc nulls last");
}

TEST(BindSortOrderTest, RefusesUnknownNestedVoidMismatchedAndRepeated) {
  auto schema = TestSchema();
  for (const char* bad : {"nope", "tags", "void(id)", "day(name)", "id, id desc"}) {
    auto r = BindSortOrder(*ParseSortTerms(bad), *schema, 1);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument) << bad;
      EXPECT_NE(r.status().message().find("sort term"), std::string::npos) << r.status().message();
    }
  }
}

TEST(EvolveSortOrderTest, NewOrderThenReuseThenUnsorted) {
  auto md = TableMetadata::NewTable("file:///t", TestSchema(), PartitionSpec{}, {}, 0);
  ASSERT_EQ(md->default_sort_order_id, 0);
  auto a = EvolveSortOrder(*md, "id desc");
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->changed);
  EXPECT_EQ(a->order_id, 1);
  EXPECT_EQ(a->metadata->sort_orders.size(), 2u);
  EXPECT_TRUE(a->metadata->Validate().ok());
  auto b = EvolveSortOrder(*a->metadata, "name");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->order_id, 2);
  auto again = EvolveSortOrder(*b->metadata, "ID DESC NULLS LAST");  // same as order 1
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->changed);
  EXPECT_EQ(again->order_id, 1);
  EXPECT_EQ(again->metadata->sort_orders.size(), 3u);
  auto same = EvolveSortOrder(*again->metadata, "id desc");
  EXPECT_FALSE(same->changed);
  auto none = EvolveSortOrder(*again->metadata, "unsorted");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->changed);
  EXPECT_EQ(none->metadata->default_sort_order_id, 0);
  EXPECT_EQ(SortOrderText(*DefaultSortOrder(*none->metadata), *TestSchema()), "unsorted");
  // Round trip through JSON keeps the orders.
  auto parsed = TableMetadata::FromJson(again->metadata->ToJson());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ((*parsed)->default_sort_order_id, 1);
  EXPECT_TRUE(SameSortFields(*DefaultSortOrder(**parsed), *DefaultSortOrder(*again->metadata)));
}

}  // namespace
}  // namespace ldp::iceberg
