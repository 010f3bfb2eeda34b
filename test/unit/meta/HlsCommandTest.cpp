// Tests of the `mmlc hls inspect|rewrite` logic (runHlsCommand) and of the mmlc_meta_cli driver:
// table and JSON output, --set/--pragma/--rename-top, exit codes and file:line errors.
#include <gtest/gtest.h>

#include <sstream>

#include "MetaTestUtil.h"
#include "hls/CSimHarness.h"
#include "meta/HlsCommand.h"
#include "meta/HlsProject.h"

using namespace mmlc;
using namespace mmlc::meta;
using namespace mmlc::meta::testutil;

namespace {
int run(const std::vector<std::string>& args, std::string* out, std::string* err) {
  std::ostringstream o, e;
  const int status = runHlsCommand(args, o, e);
  *out = o.str();
  *err = e.str();
  return status;
}
}  // namespace

TEST(HlsCommand, InspectTableAndJson) {
  ScratchDir tmp;
  const std::string dir = copyFixture(tmp.path() / "prj");
  std::string out, err;
  ASSERT_EQ(run({"inspect", dir}, &out, &err), 0) << err;
  EXPECT_NE(out.find("top myproject (firmware/myproject.cpp:5:6)"), std::string::npos) << out;
  EXPECT_NE(out.find("\nlayer2  dense   4      3      1    latency   1       fixed<16,6>   fixed<10,4>"), std::string::npos) << out;
  EXPECT_NE(out.find("fixed<10,4>"), std::string::npos);
  EXPECT_NE(out.find("PIPELINE"), std::string::npos);
  ASSERT_EQ(run({"inspect", dir, "--json"}, &out, &err), 0) << err;
  EXPECT_EQ(out.front(), '{');
  EXPECT_NE(out.find("\"top\": \"myproject\""), std::string::npos);
  EXPECT_NE(out.find("\"weight\": {\"type\": \"fixed<10,4>\", \"spelled\": \"ap_fixed<10,4>\", \"typedefs\": [\"config2::weight_t\", \"weight2_t\"]"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("\"reuse_factor\": 1"), std::string::npos);
}

TEST(HlsCommand, RewriteSetsAndReportsErrors) {
  ScratchDir tmp;
  const std::string dir = copyFixture(tmp.path() / "prj");
  const std::string outDir = tmp / "out";
  std::string out, err;
  ASSERT_EQ(run({"rewrite", dir, "--set", "layer2.weight=fixed<8,3>", "--set", "layer4.reuse=2", "--pragma", "myproject=PIPELINE II=3",
                 "--remove-pragma", "myproject=ARRAY_PARTITION variable=layer3_out", "--rename-top", "net", "-o", outDir},
                &out, &err),
            0)
      << err;
  EXPECT_NE(out.find("wrote "), std::string::npos);
  const HlsProject p = readHlsProject(outDir);
  EXPECT_EQ(p.topFunction, "net");
  EXPECT_EQ(p.layer("layer2")->precisions.at("weight").type, hls::FixedType::fixed(8, 3));
  EXPECT_EQ(p.layer("layer4")->reuseFactor, 2);
  EXPECT_EQ(p.pragmasIn("net", "").size(), 5u);

  // Errors: unknown layer (file:line of the top function), parse errors, usage.
  EXPECT_EQ(run({"rewrite", dir, "--set", "fc9.weight=fixed<8,3>", "-o", tmp / "o2"}, &out, &err), 1);
  EXPECT_NE(err.find("prj/firmware/myproject.cpp:5:6: error: no layer 'fc9'"), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(tmp / "o2"));
  EXPECT_EQ(run({"rewrite", dir, "--set", "layer2.weight"}, &out, &err), 1);
  EXPECT_EQ(run({"rewrite", dir}, &out, &err), 2);
  EXPECT_EQ(run({"inspect", dir, "--bogus"}, &out, &err), 2);
  EXPECT_EQ(run({"frobnicate"}, &out, &err), 2);
  EXPECT_EQ(run({"inspect", tmp / "nothing"}, &out, &err), 1);
  EXPECT_NE(err.find("not a directory"), std::string::npos);
}

TEST(HlsCommand, CliDriver) {
  ScratchDir tmp;
  const std::string dir = copyFixture(tmp.path() / "prj");
  std::string log;
  ASSERT_EQ(hls::runCommand(std::string(MMLC_META_CLI) + " inspect '" + dir + "' --json", &log), 0) << log;
  EXPECT_NE(log.find("\"layers\""), std::string::npos);
  EXPECT_NE(hls::runCommand(std::string(MMLC_META_CLI) + " rewrite '" + dir + "' --set 'nope.weight=fixed<8,3>'", &log), 0);
  EXPECT_NE(log.find("no layer 'nope'"), std::string::npos) << log;
}
