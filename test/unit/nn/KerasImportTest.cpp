// Keras import (runtime/nn/KerasImport.cpp): the float forward pass of imported models against a
// NumPy computation from the files' own weights (keras_models.py), on hls4ml's real jet tagger and
// on generated channels-last CNNs; and the errors for what it cannot import.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "nn/Error.h"
#include "nn/KerasImport.h"
#include "nn/NpyReader.h"

using namespace mmlc::nn;
namespace fs = std::filesystem;

namespace {
const std::string kScript = MMLC_KERAS_MODELS_PY;
const std::string kFixtures = MMLC_KERAS_FIXTURES_DIR;

int python(const std::string& args) {
  return std::system(("/usr/bin/python3 " + kScript + " " + args).c_str());
}

/// The generated models (keras_models.py generate), written once per test run.
const fs::path& generated() {
  static const fs::path dir = [] {
    fs::path d = fs::current_path() / "keras-models";
    fs::remove_all(d);
    EXPECT_EQ(python("generate " + d.string()), 0);
    return d;
  }();
  return dir;
}

/// Channels-last samples (N, ..., C) as the engine's channels-first rows.
Matrix channelsFirst(const NpyArray& x) {
  const long n = x.shape[0];
  long features = 1;
  for (size_t i = 1; i < x.shape.size(); ++i) features *= x.shape[i];
  Matrix out(n, features);
  const long c = x.shape.size() > 2 ? x.shape.back() : 1, spatial = features / c;
  for (long s = 0; s < n; ++s)
    for (long p = 0; p < spatial; ++p)
      for (long ch = 0; ch < c; ++ch)
        out(s, ch * spatial + p) = x.values[static_cast<size_t>(s * features + p * c + ch)];
  return out;
}

/// The network's outputs on the reference inputs equal NumPy's outputs.
void expectMatchesReference(Network net, const std::string& model, const std::string& weights,
                            const std::string& tag) {
  const fs::path out = fs::current_path() / ("keras-ref-" + tag);
  ASSERT_EQ(python("reference " + model + " " + weights + " " + out.string()), 0);
  const NpyArray x = readNpy((out / "x.npy").string()), y = readNpy((out / "y.npy").string());
  const Matrix got = net.predict(channelsFirst(x));
  ASSERT_EQ(got.rows(), y.shape[0]);
  ASSERT_EQ(got.cols(), static_cast<long>(y.values.size()) / y.shape[0]);
  double worst = 0;
  for (long i = 0; i < got.size(); ++i)
    worst = std::max(worst, std::abs(static_cast<double>(got.data()[i]) - y.values[static_cast<size_t>(i)]));
  EXPECT_LT(worst, 2e-5) << tag << ": largest difference from the NumPy reference";
}

std::string importError(const std::string& stem) {
  try {
    importKeras((generated() / (stem + ".json")).string(), (generated() / (stem + ".h5")).string());
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST(KerasImport, RealJetTaggerMatchesNumpy) {
  const std::string json = kFixtures + "/KERAS_3layer.json", h5 = kFixtures + "/KERAS_3layer_weights.h5";
  Network net = importKeras(json, h5);
  EXPECT_EQ(net.inputShape().size(), 16);
  EXPECT_EQ(net.outputShape().size(), 5);
  EXPECT_EQ(net.parameterCount(), 16 * 64 + 64 + 64 * 32 + 32 + 32 * 32 + 32 + 32 * 5 + 5);
  expectMatchesReference(std::move(net), json, h5, "jet");
}

TEST(KerasImport, ChannelsLastCnn2dMatchesNumpy) {
  const std::string json = (generated() / "cnn2d.json").string(), h5 = (generated() / "cnn2d.h5").string();
  Network net = importKeras(json, h5);
  EXPECT_EQ(net.inputShape().str(), Shape({3, 8, 6}).str());  // channels-first
  expectMatchesReference(std::move(net), json, h5, "cnn2d");
}

TEST(KerasImport, Cnn1dMatchesNumpy) {
  const std::string json = (generated() / "cnn1d.json").string(), h5 = (generated() / "cnn1d.h5").string();
  expectMatchesReference(importKeras(json, h5), json, h5, "cnn1d");
}

TEST(KerasImport, WholeModelFileMatchesNumpy) {
  const std::string h5 = (generated() / "whole.h5").string();
  expectMatchesReference(importKerasModel(h5), h5, h5, "whole");
  // The same file as the weights of its own architecture works too (weights under model_weights).
  EXPECT_THROW(importKerasModel((generated() / "cnn2d.h5").string()), Error);  // weights only
}

// Keras 3 archives: the same models saved as .keras (stored, as Keras writes them, and deflated),
// Sequential and functional, match the NumPy reference of the Keras 2 files they were made from.
TEST(KerasImport, Keras3ArchivesMatchNumpy) {
  struct Case {
    std::string json, h5, tag;
    bool deflate;
  };
  const std::vector<Case> cases = {
      {kFixtures + "/KERAS_3layer.json", kFixtures + "/KERAS_3layer_weights.h5", "jet", false},
      {(generated() / "cnn2d.json").string(), (generated() / "cnn2d.h5").string(), "cnn2d", true},
      {(generated() / "whole.h5").string(), (generated() / "whole.h5").string(), "whole", false}};
  for (const Case& c : cases) {
    const fs::path archive = fs::current_path() / (c.tag + ".keras");
    ASSERT_EQ(python("keras3 " + c.json + " " + c.h5 + " " + archive.string() + (c.deflate ? " deflate" : "")), 0);
    expectMatchesReference(importKerasArchive(archive.string()), c.json, c.h5, c.tag + "-keras3");
    // keras(model:) recognises the archive by its ZIP signature.
    EXPECT_EQ(importKerasModel(archive.string()).parameterCount(), importKerasArchive(archive.string()).parameterCount());
  }
  // A truncated archive and a ZIP that is not a Keras model are errors naming the file.
  const fs::path jet = fs::current_path() / "jet.keras", cut = fs::current_path() / "cut.keras";
  {
    std::ifstream in(jet, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  }
  try {
    importKerasArchive(cut.string());
    FAIL() << "a truncated archive was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cut.keras: not a readable ZIP archive"), std::string::npos) << e.what();
  }
  const fs::path notModel = fs::current_path() / "other.keras";
  ASSERT_EQ(std::system(("cd " + fs::current_path().string() + " && /usr/bin/python3 -c \"import zipfile; "
                         "zipfile.ZipFile('other.keras', 'w').writestr('readme.txt', 'hi')\"").c_str()),
            0);
  try {
    importKerasArchive(notModel.string());
    FAIL() << "a ZIP without config.json was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("other.keras: not a Keras 3 model archive (no config.json)"), std::string::npos)
        << e.what();
  }
  // Keras 3 can save weights as NumPy's .npz; only model.weights.h5 is read, and the error says so.
  const fs::path npz = fs::current_path() / "npz.keras";
  ASSERT_EQ(std::system(("cd " + fs::current_path().string() + " && /usr/bin/python3 -c \"import zipfile; "
                         "z = zipfile.ZipFile('npz.keras', 'w'); z.writestr('config.json', '{}'); "
                         "z.writestr('model.weights.npz', 'PK')\"").c_str()),
            0);
  try {
    importKerasArchive(npz.string());
    FAIL() << "an archive with .npz weights was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("npz.keras: not a Keras 3 model archive (no model.weights.h5; weights saved as .npz are "
                                         "not supported)"),
              std::string::npos)
        << e.what();
  }
}

TEST(KerasImport, ErrorsNameTheFileAndLayer) {
  EXPECT_NE(importError("branch").find("layer 'b': takes its input from 'input_1', not from the layer before it"),
            std::string::npos)
      << importError("branch");
  EXPECT_NE(importError("qkeras").find("layer 'q': QKeras quantizer 'quantized_po2' is not supported"), std::string::npos) << importError("qkeras");
  EXPECT_NE(importError("qkeras_auto").find("layer 'qa': quantized_bits alpha = 'auto': only alpha=1 (or None) has power-of-two "
                                           "steps that a fixed-point type holds exactly"),
            std::string::npos)
      << importError("qkeras_auto");
  EXPECT_NE(importError("elu").find("layer 'e': activation 'elu' is not supported"), std::string::npos)
      << importError("elu");
  EXPECT_NE(importError("badshape").find("layer 'd': kernel of shape (3, 2), expected (4, 2)"), std::string::npos)
      << importError("badshape");
  // A corrupt weights file, a missing one, and a JSON that is not JSON.
  const fs::path bad = fs::current_path() / "corrupt.h5";
  { std::ofstream(bad) << "\x89HDF\r\n\x1a\n truncated"; }
  try {
    importKeras(kFixtures + "/KERAS_3layer.json", bad.string());
    FAIL() << "a corrupt HDF5 file was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("corrupt.h5"), std::string::npos) << e.what();
  }
  EXPECT_THROW(importKeras(kFixtures + "/KERAS_3layer.json", "/nonexistent.h5"), Error);
  EXPECT_THROW(importKeras(kFixtures + "/KERAS_3layer_weights.h5", kFixtures + "/KERAS_3layer_weights.h5"), Error);
}
