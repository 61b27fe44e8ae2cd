#include "ldp/avro/schema.h"

#include "testing/temp_dir.h"

namespace ldp::avro {
namespace {

TEST(SchemaTest, ParsesEveryType) {
  const char* json = R"({"type":"record","name":"all","namespace":"ns","fields":[
    {"name":"n","type":"null"},
    {"name":"b","type":"boolean"},
    {"name":"i","type":"int"},
    {"name":"l","type":"long"},
    {"name":"f","type":"float"},
    {"name":"d","type":"double"},
    {"name":"by","type":"bytes"},
    {"name":"s","type":"string"},
    {"name":"fx","type":{"type":"fixed","name":"f4","size":4}},
    {"name":"e","type":{"type":"enum","name":"color","symbols":["RED","GREEN"]}},
    {"name":"a","type":{"type":"array","items":"long","element-id":133}},
    {"name":"m","type":{"type":"map","values":"string"}},
    {"name":"u","type":["null","string"],"default":null},
    {"name":"again","type":"f4"}
  ]})";
  ASSERT_OK_AND_ASSIGN(Schema s, Schema::Parse(json));
  const Node& root = s.root();
  EXPECT_EQ(root.type, Type::kRecord);
  EXPECT_EQ(root.name, "ns.all");
  ASSERT_EQ(root.fields.size(), 14u);
  const Type want[] = {Type::kNull,   Type::kBoolean, Type::kInt,   Type::kLong, Type::kFloat,
                       Type::kDouble, Type::kBytes,   Type::kString, Type::kFixed, Type::kEnum,
                       Type::kArray,  Type::kMap,     Type::kUnion, Type::kFixed};
  for (size_t i = 0; i < root.fields.size(); ++i) EXPECT_EQ(root.fields[i].type->type, want[i]) << i;
  EXPECT_EQ(root.fields[8].type->name, "ns.f4");
  EXPECT_EQ(root.fields[8].type->size, 4);
  EXPECT_EQ(root.fields[13].type, root.fields[8].type);  // a reference shares the node
  EXPECT_EQ(root.fields[10].type->attributes["element-id"], 133);
  EXPECT_EQ(root.fields[12].type->NullBranch(), 0);
  EXPECT_EQ(root.FieldIndex("m"), 11);
  EXPECT_EQ(root.FieldIndex("nope"), -1);
}

TEST(SchemaTest, AttributesPrintBackVerbatimAndInOrder) {
  const std::string json =
      R"({"type":"record","name":"manifest_entry","fields":[)"
      R"({"name":"status","type":"int","field-id":0},)"
      R"({"name":"snapshot_id","type":["null","long"],"default":null,"field-id":1},)"
      R"({"name":"m","type":["null",{"type":"array","items":{"type":"record","name":"k117_v118",)"
      R"("fields":[{"name":"key","type":"int","field-id":117},{"name":"value","type":"long","field-id":118}]},)"
      R"("logicalType":"map"}],"doc":"Map of column id to total size on disk","default":null,"field-id":108},)"
      R"({"name":"d","type":{"type":"int","logicalType":"date"},"field-id":1000},)"
      R"({"name":"dec","type":{"type":"fixed","name":"decimal_9_2","size":4,"logicalType":"decimal","precision":9,"scale":2},"field-id":1001},)"
      R"({"name":"dec2","type":"decimal_9_2","field-id":1002}]})";
  ASSERT_OK_AND_ASSIGN(Schema s, Schema::Parse(json));
  EXPECT_EQ(s.ToJsonString(), json);
  EXPECT_EQ(s.root().fields[1].field_id(), 1);
  EXPECT_EQ(s.root().fields[3].type->logical_type(), "date");
  EXPECT_EQ(s.root().FieldIndexById(108), 2);
}

TEST(SchemaTest, NamespacesResolve) {
  ASSERT_OK_AND_ASSIGN(Schema s, Schema::Parse(R"({"type":"record","name":"a.R","fields":[
      {"name":"x","type":{"type":"fixed","name":"F","size":2}},
      {"name":"y","type":"a.F"},
      {"name":"z","type":"F"}]})"));
  EXPECT_EQ(s.root().fields[0].type->name, "a.F");
  EXPECT_EQ(s.root().fields[2].type, s.root().fields[0].type);
  // Printing and parsing again gives the same schema.
  ASSERT_OK_AND_ASSIGN(Schema again, Schema::Parse(s.ToJsonString()));
  EXPECT_EQ(again.ToJsonString(), s.ToJsonString());
}

TEST(SchemaTest, BuildsInCode) {
  NodePtr entry = MakeRecord(
      "r", {MakeField("id", MakePrimitive(Type::kInt), {{"field-id", 1}}),
            MakeField("opt", MakeOptional(MakePrimitive(Type::kString)),
                      {{"default", nullptr}, {"field-id", 2}})});
  ASSERT_OK_AND_ASSIGN(Schema s, Schema::Make(entry));
  EXPECT_EQ(s.ToJsonString(),
            R"({"type":"record","name":"r","fields":[{"name":"id","type":"int","field-id":1},)"
            R"({"name":"opt","type":["null","string"],"default":null,"field-id":2}]})");
}

TEST(SchemaTest, InvalidSchemasAreErrors) {
  const char* bad[] = {
      "not json",
      "42",
      R"("nosuchtype")",
      R"({"type":"record","fields":[]})",
      R"({"type":"record","name":"r"})",
      R"({"type":"record","name":"r","fields":[{"name":"a"}]})",
      R"({"type":"record","name":"r","fields":[{"name":"a","type":"int"},{"name":"a","type":"int"}]})",
      R"(["int","int"])",
      R"(["null",["int"]])",
      R"({"type":"fixed","name":"f"})",
      R"({"type":"fixed","name":"f","size":-1})",
      R"({"type":"array"})",
      R"({"type":"enum","name":"e","symbols":["A","A"]})",
      R"({"type":"record","name":"r","fields":[{"name":"a","type":{"type":"fixed","name":"r","size":1}}]})",
  };
  for (const char* json : bad) {
    EXPECT_THAT(Schema::Parse(json), IsError(ErrorCode::kInvalidArgument)) << json;
  }
  EXPECT_THAT(Schema::Parse(R"({"type":"record","name":"r","fields":[{"name":"a","type":"r"}]})"),
              IsError(ErrorCode::kNotImplemented));
  // Names a schema built in code must follow Avro's rules.
  EXPECT_THAT(Schema::Make(MakeRecord("bad-name", {})), IsError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(Schema::Make(MakeRecord("r", {MakeField("1x", MakePrimitive(Type::kInt))})),
              IsError(ErrorCode::kInvalidArgument));
}

TEST(SchemaTest, DeepNestingIsRejected) {
  std::string json;
  for (int i = 0; i < 200; ++i) json += R"({"type":"array","items":)";
  json += "\"int\"";
  for (int i = 0; i < 200; ++i) json += "}";
  EXPECT_THAT(Schema::Parse(json), HasMessage("deeper"));
}

}  // namespace
}  // namespace ldp::avro
