// Unit tests of the meta-model: stable content keys, atomic commits that survive a restart,
// clean-up of what a killed run left, CFG with origins, and an append-only LOG.
#include "flow/MetaModel.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

namespace mmlc::flow {
namespace {
namespace fs = std::filesystem;

class MetaModelTest : public ::testing::Test {
protected:
  MetaModelTest() {
    dir = fs::temp_directory_path() /
          ("mmlc-meta-model-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
           "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
  }
  ~MetaModelTest() override { fs::remove_all(dir); }
  TaskDecl prune{"prune", "prune", "", "dnn", {"m", "tolerance"}};
  fs::path dir;
};

TEST_F(MetaModelTest, KeysDependOnEveryInputAndNothingElse) {
  NamedArgs a{{"m", Handle{"dnn", "abc"}}, {"tolerance", 0.02}};
  NamedArgs same{{"m", Handle{"dnn", "abc"}}, {"tolerance", 0.02}};
  NamedArgs other{{"m", Handle{"dnn", "abc"}}, {"tolerance", 0.03}};
  NamedArgs otherModel{{"m", Handle{"dnn", "abd"}}, {"tolerance", 0.02}};
  NamedArgs intNotFloat{{"m", Handle{"dnn", "abc"}}, {"tolerance", std::int64_t(0)}};
  std::string k = MetaModel::stepKey(prune, "1", a);
  EXPECT_EQ(k.size(), 32u);
  EXPECT_EQ(k, MetaModel::stepKey(prune, "1", same));
  EXPECT_NE(k, MetaModel::stepKey(prune, "1", other));
  EXPECT_NE(k, MetaModel::stepKey(prune, "1", otherModel));
  EXPECT_NE(k, MetaModel::stepKey(prune, "2", a));
  EXPECT_NE(MetaModel::stepKey(prune, "1", intNotFloat), MetaModel::stepKey(prune, "1", other));
}

TEST_F(MetaModelTest, CommittedStepsSurviveARestart) {
  StepRecord r;
  r.key = "k1";
  r.task = "prune";
  r.path = "main.prune";
  r.level = "dnn";
  r.parents = {"k0"};
  r.params = {{"tolerance", "0.02"}};
  r.metrics = {{"accuracy", 0.91}, {"sparsity", 0.9}};
  r.seconds = 1.5;
  {
    MetaModel mm(dir);
    EXPECT_FALSE(mm.find("k1"));
    std::ofstream(mm.stagingDir("k1") / "weights.bin") << "data";
    mm.commit(r);
  }
  MetaModel again(dir);
  auto found = again.find("k1");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->path, "main.prune");
  EXPECT_EQ(found->parents, std::vector<std::string>{"k0"});
  EXPECT_DOUBLE_EQ(found->metrics.at("sparsity"), 0.9);
  EXPECT_TRUE(fs::exists(again.modelDir("k1") / "weights.bin"));
}

// A step computed again under a committed key (a run without --resume into a used directory, or
// an mmlc version whose engine rounds differently) replaces the committed files and record, so
// that what is on disk is the model the run goes on with.
TEST_F(MetaModelTest, AStepComputedAgainReplacesTheCommittedOne) {
  StepRecord r;
  r.key = "k3";
  r.task = "train";
  r.path = "main.train";
  r.level = "dnn";
  r.metrics = {{"accuracy", 0.8}};
  MetaModel mm(dir);
  std::ofstream(mm.stagingDir("k3") / "model.mmlc") << "first";
  std::ofstream(mm.stagingDir("k3") / "only-in-first.txt") << "x";
  mm.commit(r);
  r.metrics = {{"accuracy", 0.9}};
  std::ofstream(mm.stagingDir("k3") / "model.mmlc") << "second";
  mm.commit(r);
  std::ifstream in(mm.modelDir("k3") / "model.mmlc");
  std::string text;
  in >> text;
  EXPECT_EQ(text, "second");
  EXPECT_FALSE(fs::exists(mm.modelDir("k3") / "only-in-first.txt"));
  EXPECT_DOUBLE_EQ(mm.find("k3")->metrics.at("accuracy"), 0.9);
  for (const auto &e : fs::directory_iterator(dir / "models"))
    EXPECT_EQ(e.path().filename(), "k3") << "left behind: " << e.path();
}

TEST_F(MetaModelTest, HalfWrittenStepsOfAKilledRunAreDiscarded) {
  {
    MetaModel mm(dir);
    std::ofstream(mm.stagingDir("k2") / "partial.bin") << "half";
  }
  MetaModel again(dir);
  EXPECT_FALSE(fs::exists(dir / "models" / "k2.staging"));
  EXPECT_FALSE(again.find("k2"));
}

TEST_F(MetaModelTest, CfgRecordsValuesWithOrigins) {
  {
    MetaModel mm(dir);
    mm.recordParameter("main.spq.prune", "tolerance", 0.02, "cfg", {"f.mml", 3, 5});
    mm.recordParameter("main.spq.prune", "start", 0.5, "default", {"std/tasks.mml", 10, 1});
  }
  std::ifstream in(dir / "cfg.json");
  auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["parameters"]["main.spq.prune.tolerance"]["origin"], "cfg");
  EXPECT_EQ(j["parameters"]["main.spq.prune.tolerance"]["value"], "0.02");
  EXPECT_EQ(j["parameters"]["main.spq.prune.start"]["source"], "std/tasks.mml:10:1");
  // Reopening keeps what was recorded and adds to it.
  MetaModel again(dir);
  again.recordParameter("main.train", "epochs", std::int64_t(3), "text", {"f.mml", 4, 3});
  again.flushCfg();
  std::ifstream in2(dir / "cfg.json");
  EXPECT_EQ(nlohmann::json::parse(in2)["parameters"].size(), 3u);
}

TEST_F(MetaModelTest, CorruptCfgIsAClearError) {
  fs::create_directories(dir);
  std::ofstream(dir / "cfg.json") << "{ not json";
  try {
    MetaModel mm(dir);
    FAIL() << "expected an error";
  } catch (const std::runtime_error &e) {
    EXPECT_NE(std::string(e.what()).find("cfg.json: corrupt"), std::string::npos) << e.what();
  }
}

TEST_F(MetaModelTest, LogIsOneJsonObjectPerLine) {
  MetaModel mm(dir);
  mm.log("step", {{"path", jsonString("main.prune")}, {"accuracy", "0.9"}});
  mm.log("note", {{"message", jsonString("loop stopped by its \"bound\"")}});
  std::ifstream in(dir / "log.jsonl");
  std::string line;
  std::vector<nlohmann::json> events;
  while (std::getline(in, line))
    events.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]["event"], "step");
  EXPECT_EQ(events[0]["path"], "main.prune");
  EXPECT_EQ(events[1]["message"], "loop stopped by its \"bound\"");
}

} // namespace
} // namespace mmlc::flow
