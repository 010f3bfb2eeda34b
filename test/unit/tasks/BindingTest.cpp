// The standard library and the runtime agree: every task std/tasks.mml declares has a runtime
// binding (and the reverse), every activation an .mml parameter may name is in the engine's
// activation table and has an HLS layer-kind descriptor, and the engine's and the HLS side's
// names of each element-wise activation match.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "hls/LayerKinds.h"
#include "nn/ActivationLayers.h"
#include "tasks/TaskContext.h"

namespace mmlc::tasks {
namespace {

std::string stdlibTasks() {
  std::ifstream in(MMLC_STDLIB_TASKS);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(Bindings, EveryStdlibTaskHasARuntimeBinding) {
  const std::string text = stdlibTasks();
  ASSERT_FALSE(text.empty()) << MMLC_STDLIB_TASKS;
  const std::regex decl(R"((?:^|\n)task (\w+)\()");
  std::set<std::string> declared;
  for (std::sregex_iterator it(text.begin(), text.end(), decl), end; it != end; ++it) declared.insert((*it)[1]);
  ASSERT_GE(declared.size(), 10u);
  const auto& bound = builtinTasks();
  for (const std::string& t : declared) EXPECT_TRUE(bound.count(t)) << "task " << t << " has no runtime binding (TaskRegistry.cpp)";
  for (const auto& [name, fn] : bound) EXPECT_TRUE(declared.count(name)) << "binding " << name << " has no declaration in std/tasks.mml";
}

TEST(Bindings, EveryStdlibActivationHasAnEngineLayerAndAnHlsKind) {
  const std::string text = stdlibTasks();
  // The value sets of `activation` parameters: activation: string = "relu" in {"relu", ...}
  const std::regex param(R"(\bactivation: string = "\w+" in \{([^}]*)\})"), value(R"re("(\w+)")re");
  int sets = 0;
  for (std::sregex_iterator it(text.begin(), text.end(), param), end; it != end; ++it, ++sets) {
    const std::string list = (*it)[1];
    for (std::sregex_iterator v(list.begin(), list.end(), value); v != end; ++v) {
      const std::string name = (*v)[1];
      EXPECT_NO_THROW(nn::activationFromMmlName(name)) << "activation '" << name << "' has no engine layer";
      EXPECT_NE(hls::kindByMmlName(name), nullptr) << "activation '" << name << "' has no HLS layer-kind descriptor";
    }
  }
  EXPECT_GE(sets, 2);  // mlp and cnn
}

TEST(Bindings, EngineAndHlsNameEachActivationAlike) {
  for (const auto& [kind, mmlName] : nn::elementwiseActivations()) {
    const hls::LayerKindInfo* d = hls::kindByNnName(kind);
    ASSERT_NE(d, nullptr) << "engine activation " << kind << " has no HLS descriptor with that nnKind";
    EXPECT_EQ(d->mmlName, mmlName) << kind;
    EXPECT_TRUE(d->isActivation) << kind;
    EXPECT_EQ(nn::activationFromMmlName(mmlName).kind, kind);
  }
}

}  // namespace
}  // namespace mmlc::tasks
