#include "ldp/pipeline/template.h"

#include <cstdlib>

#include "testing/temp_dir.h"

namespace ldp::pipeline {
namespace {

using ::testing::HasSubstr;

TemplateContext Ctx() {
  TemplateContext c;
  c.vars = {{"ds", "2024-01-02"}, {"ds_nodash", "20240102"}, {"run_id", "p@2024-01-02"},
            {"data_interval_start", "2024-01-02T00:00:00+00:00"}, {"data_interval_end", "2024-01-03T00:00:00+00:00"}};
  c.params = {{"table", "nyc.trips"}};
  return c;
}

TEST(TemplateTest, RendersVariablesParamsAndEnv) {
  setenv("LDP_TEMPLATE_TEST", "hello", 1);
  auto r = Render("{{ds}} {{ ds_nodash }} {{  run_id  }} {{ params.table }} {{ env.LDP_TEMPLATE_TEST }} "
                  "[{{ data_interval_start }}, {{ data_interval_end }})",
                  Ctx());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, "2024-01-02 20240102 p@2024-01-02 nyc.trips hello [2024-01-02T00:00:00+00:00, 2024-01-03T00:00:00+00:00)");
  EXPECT_EQ(*Render("no placeholders", Ctx()), "no placeholders");
}

TEST(TemplateTest, ErrorsNameTheVariable) {
  unsetenv("LDP_TEMPLATE_UNSET");
  EXPECT_THAT(Render("{{ dss }}", Ctx()).status().message(), HasSubstr("unknown template variable 'dss'"));
  EXPECT_THAT(Render("{{ params.x }}", Ctx()).status().message(), HasSubstr("'params.x'"));
  EXPECT_THAT(Render("{{ env.LDP_TEMPLATE_UNSET }}", Ctx()).status().message(), HasSubstr("is not set"));
  EXPECT_THAT(Render("{{ ds ", Ctx()).status().message(), HasSubstr("unclosed"));
}

TEST(TemplateTest, CheckWithoutValues) {
  std::map<std::string, std::string> params = {{"a", "1"}};
  EXPECT_TRUE(CheckTemplate("{{ ds }} {{ params.a }} {{ env.ANYTHING }} {{ data_interval_end }}", params).ok());
  EXPECT_FALSE(CheckTemplate("{{ params.b }}", params).ok());
  EXPECT_FALSE(CheckTemplate("{{ execution_date }}", params).ok());
  EXPECT_FALSE(CheckTemplate("{{ env.bad-name }}", params).ok());
}

}  // namespace
}  // namespace ldp::pipeline
