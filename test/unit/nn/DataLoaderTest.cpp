// Data loaders (IDX, CSV, NPY, ARFF, OpenML cache), transforms, and their error messages on bad files.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "nn/ArffReader.h"
#include "nn/CsvReader.h"
#include "nn/DatasetSource.h"
#include "nn/Error.h"
#include "nn/IdxReader.h"
#include "nn/NpyReader.h"
#include "nn/OpenmlLoader.h"

using namespace mmlc::nn;

namespace {
void writeAll(const std::string& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }
void writeGz(const std::string& p, const std::string& s) {
  gzFile f = gzopen(p.c_str(), "wb");
  gzwrite(f, s.data(), static_cast<unsigned>(s.size()));
  gzclose(f);
}
std::string be32(uint32_t v) {
  return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}
// 3 images of 2x2 and their labels.
std::string idxImages() {
  std::string s = std::string("\0\0\x08\x03", 4) + be32(3) + be32(2) + be32(2);
  for (int i = 0; i < 12; ++i) s += static_cast<char>(i * 20);
  return s;
}
std::string idxLabels(int n) {
  std::string s = std::string("\0\0\x08\x01", 4) + be32(n);
  for (int i = 0; i < n; ++i) s += static_cast<char>(i % 2 ? 1 : 3);
  return s;
}
// Expects `f` to throw Error whose message contains every fragment.
template <class F>
void expectError(F f, std::initializer_list<std::string> fragments) {
  try {
    f();
    FAIL() << "expected an error mentioning " << *fragments.begin();
  } catch (const Error& e) {
    const std::string msg = e.what();
    for (auto& frag : fragments) EXPECT_NE(msg.find(frag), std::string::npos) << "message: " << msg;
  }
}
}  // namespace

TEST(IdxReader, ReadsPlainAndGzip) {
  writeAll("img.idx", idxImages());
  writeAll("lab.idx", idxLabels(3));
  writeGz("img.idx.gz", idxImages());
  writeGz("lab.idx.gz", idxLabels(3));
  for (auto [img, lab] : {std::pair{"img.idx", "lab.idx"}, std::pair{"img.idx.gz", "lab.idx.gz"}}) {
    Dataset d = loadIdxDataset(img, lab);
    EXPECT_EQ(d.size(), 3);
    EXPECT_EQ(d.shape, (Shape{1, 2, 2}));
    EXPECT_FLOAT_EQ(d.x(1, 0), 80.0f / 255.0f);
    EXPECT_EQ(d.labels, (std::vector<int>{3, 1, 3}));
    EXPECT_EQ(d.numClasses, 4);
  }
}

TEST(IdxReader, NormalizeOnlyScalesUnsignedBytes) {
  writeAll("img.idx", idxImages());
  writeAll("lab.idx", idxLabels(3));
  EXPECT_FLOAT_EQ(loadIdxDataset("img.idx", "lab.idx", -1, false).x(1, 0), 80.0f);
  // A float IDX file (type 0x0D) is features, not pixels: kept as stored.
  std::string floats = std::string("\0\0\x0D\x02", 4) + be32(3) + be32(2);
  for (float v : {1.5f, -2.0f, 3.0f, 4.0f, 5.0f, 6.0f}) {
    uint32_t u;
    std::memcpy(&u, &v, 4);
    floats += be32(u);
  }
  writeAll("floats.idx", floats);
  Dataset d = loadIdxDataset("floats.idx", "lab.idx");
  EXPECT_EQ(d.shape, (Shape{2}));
  EXPECT_FLOAT_EQ(d.x(0, 1), -2.0f);
}

TEST(IdxReader, ErrorsNameFileAndProblem) {
  const std::string img = idxImages();
  writeAll("trunc.idx", img.substr(0, img.size() - 3));
  expectError([] { readIdx("trunc.idx"); }, {"trunc.idx", "truncated"});
  writeGz("trunc.idx.gz", img.substr(0, img.size() - 3));
  expectError([] { readIdx("trunc.idx.gz"); }, {"trunc.idx.gz", "truncated"});
  writeAll("magic.idx", "\x01\x02" + img.substr(2));
  expectError([] { readIdx("magic.idx"); }, {"magic.idx", "magic"});
  writeAll("img.idx", img);
  writeAll("lab4.idx", idxLabels(4));
  expectError([] { loadIdxDataset("img.idx", "lab4.idx"); }, {"img.idx", "lab4.idx", "3 samples", "4 labels"});
  expectError([] { readIdx("does-not-exist.idx"); }, {"does-not-exist.idx", "cannot open"});
  std::string gz;
  writeGz("corrupt.idx.gz", img);
  {
    std::ifstream in("corrupt.idx.gz", std::ios::binary);
    gz.assign(std::istreambuf_iterator<char>(in), {});
  }
  for (size_t i = 12; i < gz.size() - 8; ++i) gz[i] = static_cast<char>(gz[i] ^ 0x5A);
  writeAll("corrupt.idx.gz", gz);
  expectError([] { readIdx("corrupt.idx.gz"); }, {"corrupt.idx.gz"});
}

TEST(IdxReader, FashionMnistSubset) {
  const std::string dir = MMLC_FASHION_MNIST_DIR;
  Dataset d = loadIdxDataset(dir + "/t10k-images-idx3-ubyte.gz", dir + "/t10k-labels-idx1-ubyte.gz", 100);
  EXPECT_EQ(d.size(), 100);
  EXPECT_EQ(d.shape, (Shape{1, 28, 28}));
  EXPECT_LE(d.x.maxCoeff(), 1.0f);
}

TEST(CsvReader, LabelColumnByName) {
  writeAll("data.csv", "a,species,b\n1.5,cat,2\n-3,dog,4e1\n\"7\",cat, 8\n");
  Dataset d = loadCsv("data.csv", {"species"});
  EXPECT_EQ(d.size(), 3);
  EXPECT_EQ(d.featureNames, (std::vector<std::string>{"a", "b"}));
  EXPECT_FLOAT_EQ(d.x(1, 1), 40.0f);
  EXPECT_FLOAT_EQ(d.x(2, 0), 7.0f);
  EXPECT_EQ(d.classNames, (std::vector<std::string>{"cat", "dog"}));
  EXPECT_EQ(d.labels, (std::vector<int>{0, 1, 0}));
  writeAll("num.csv", "x,y\n1,10\n2,9\n3,10\n");
  Dataset n = loadCsv("num.csv", {"y"});
  EXPECT_EQ(n.classNames, (std::vector<std::string>{"9", "10"}));  // numeric order, not lexical
}

TEST(CsvReader, Errors) {
  writeAll("bad.csv", "a,label\n1,x\n2\n");
  expectError([] { loadCsv("bad.csv", {"label"}); }, {"bad.csv:3", "expected 2 fields"});
  writeAll("nan.csv", "a,label\n1,x\nfoo,y\n");
  expectError([] { loadCsv("nan.csv", {"label"}); }, {"nan.csv:3", "'a'", "not a number"});
  expectError([] { loadCsv("nan.csv", {"class"}); }, {"nan.csv", "no column named 'class'"});
  writeAll("empty.csv", "");
  expectError([] { loadCsv("empty.csv", {"label"}); }, {"empty.csv", "empty"});
}

TEST(NpyReader, Float32Float64AndIntegers) {
  writeNpy("x.npy", {4, 2, 3}, std::vector<float>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23});
  // int64 labels and float64 values written by hand (numpy's exact header layout).
  auto writeTyped = [](const std::string& path, const std::string& descr, const std::string& shape, const std::string& raw) {
    std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    while ((10 + header.size() + 1) % 64) header += ' ';
    header += '\n';
    std::string s = std::string("\x93NUMPY\x01\x00", 8);
    s += static_cast<char>(header.size() & 0xff);
    s += static_cast<char>(header.size() >> 8);
    writeAll(path, s + header + raw);
  };
  std::string labels;
  for (int64_t v : {1, 0, 2, 1}) labels.append(reinterpret_cast<const char*>(&v), 8);
  writeTyped("y.npy", "<i8", "(4,)", labels);
  Dataset d = loadNpyDataset("x.npy", "y.npy");
  EXPECT_EQ(d.shape, (Shape{2, 3}));
  EXPECT_FLOAT_EQ(d.x(3, 5), 23.0f);
  EXPECT_EQ(d.labels, (std::vector<int>{1, 0, 2, 1}));
  EXPECT_EQ(d.numClasses, 3);
  std::string doubles;
  for (double v : {0.5, -1.25}) doubles.append(reinterpret_cast<const char*>(&v), 8);
  writeTyped("d.npy", "<f8", "(2,)", doubles);
  EXPECT_EQ(readNpy("d.npy").values, (std::vector<float>{0.5f, -1.25f}));
  writeTyped("u8.npy", "|u1", "(3,)", "\x01\x02\xff");
  EXPECT_EQ(readNpy("u8.npy").values, (std::vector<float>{1, 2, 255}));
  writeTyped("i4.npy", "<i4", "(1,)", std::string("\xfe\xff\xff\xff", 4));
  EXPECT_EQ(readNpy("i4.npy").values, (std::vector<float>{-2}));

  writeTyped("fortran.npy", "<f4", "(2,)", std::string(8, '\0'));
  std::string f;
  {
    std::ifstream in("fortran.npy", std::ios::binary);
    f.assign(std::istreambuf_iterator<char>(in), {});
  }
  f.replace(f.find("False"), 5, "True ");
  writeAll("fortran.npy", f);
  expectError([] { readNpy("fortran.npy"); }, {"fortran.npy", "Fortran"});
  writeTyped("short.npy", "<f4", "(10,)", std::string(12, '\0'));
  expectError([] { readNpy("short.npy"); }, {"short.npy", "truncated"});
  writeTyped("cplx.npy", "<c8", "(1,)", std::string(8, '\0'));
  expectError([] { readNpy("cplx.npy"); }, {"cplx.npy", "dtype"});
  writeAll("notnpy.npy", "hello world, this is not numpy");
  expectError([] { readNpy("notnpy.npy"); }, {"notnpy.npy", "magic"});
  writeNpy("y3.npy", {3}, {0, 1, 2});
  expectError([] { loadNpyDataset("x.npy", "y3.npy"); }, {"x.npy", "y3.npy", "4 samples"});
}

namespace {
const char* kArff = R"(% jet-like toy set
@relation 'toy jets'
@attribute 'j_pt' numeric
@attribute j_eta REAL
@attribute flavour {light,heavy}
@attribute class {g,q,w,z,t}
@data
1.5,0.1,light,q
2.5,-0.3,heavy,t
% comment inside data
3.0,0.0,'light',g
)";
}

TEST(ArffReader, NominalAndNumericAttributes) {
  writeAll("toy.arff", kArff);
  Dataset d = loadArff("toy.arff");
  EXPECT_EQ(d.size(), 3);
  EXPECT_EQ(d.featureNames, (std::vector<std::string>{"j_pt", "j_eta", "flavour"}));
  EXPECT_FLOAT_EQ(d.x(1, 2), 1.0f);  // heavy = second declared value
  EXPECT_EQ(d.numClasses, 5);        // declaration order, even for classes that never occur
  EXPECT_EQ(d.labels, (std::vector<int>{1, 4, 0}));
  Dataset byName = loadArff("toy.arff", "j_eta");
  EXPECT_EQ(byName.targets.rows(), 3);
  EXPECT_FLOAT_EQ(byName.targets(1, 0), -0.3f);
}

TEST(ArffReader, Errors) {
  writeAll("missing.arff", "@relation r\n@attribute a numeric\n@attribute c {x,y}\n@data\n?,x\n");
  expectError([] { loadArff("missing.arff"); }, {"missing.arff:5", "missing value"});
  writeAll("nodata.arff", "@relation r\n@attribute a numeric\n");
  expectError([] { loadArff("nodata.arff"); }, {"nodata.arff", "@data"});
  writeAll("ragged.arff", "@relation r\n@attribute a numeric\n@attribute c {x,y}\n@data\n1,x\n2\n");
  expectError([] { loadArff("ragged.arff"); }, {"ragged.arff:6", "expected 2 values"});
  writeAll("undeclared.arff", "@relation r\n@attribute a numeric\n@attribute c {x,y}\n@data\n1,z\n");
  expectError([] { loadArff("undeclared.arff"); }, {"undeclared.arff", "'z'"});
  writeAll("string.arff", "@relation r\n@attribute s string\n@data\nfoo\n");
  expectError([] { loadArff("string.arff"); }, {"string.arff:2", "unsupported type"});
}

TEST(OpenmlLoader, UsesCacheOffline) {
  namespace fs = std::filesystem;
  fs::create_directories("openml-cache");
  writeAll("openml-cache/openml-42468.arff", kArff);
  writeAll("openml-cache/openml-42468.json",
           R"({"data_set_description":{"id":"42468","file_id":"22044302","default_target_attribute":"class"}})");
  Dataset d = loadOpenml("openml:42468", "openml-cache");
  EXPECT_EQ(d.size(), 3);
  EXPECT_EQ(d.numClasses, 5);
  EXPECT_EQ(d.classNames[4], "t");
  expectError([] { loadOpenml("openml:abc", "openml-cache"); }, {"openml:abc", "not an OpenML spec"});
  writeAll("openml-cache/openml-7.json", "{not json");
  expectError([] { loadOpenml("openml:7", "openml-cache"); }, {"openml-7.json", "corrupt"});
}

TEST(OpenmlLoader, ExplicitTargetNeedsOnlyTheArff) {
  namespace fs = std::filesystem;
  fs::create_directories("openml-arff-only");
  writeAll("openml-arff-only/openml-99.arff", kArff);
  Dataset d = loadOpenml("openml:99", "openml-arff-only", "class");
  EXPECT_EQ(d.numClasses, 5);
  EXPECT_FALSE(fs::exists("openml-arff-only/openml-99.json"));
}

TEST(OpenmlLoader, OfflineErrorNamesUrlAndCacheFile) {
  namespace fs = std::filesystem;
  fs::remove_all("openml-offline");
  ::setenv("MMLC_OPENML_URL", "http://127.0.0.1:9/", 1);  // nothing listens on the discard port
  expectError([] { loadOpenml("openml:5", "openml-offline"); },
              {"http://127.0.0.1:9/api/v1/json/data/5", "openml-offline/openml-5.json", "by hand"});
  ::unsetenv("MMLC_OPENML_URL");
  EXPECT_FALSE(fs::exists("openml-offline/openml-5.json.part"));
}

TEST(Dataset, StandardiseOneHotAndStratifiedSplit) {
  Dataset d;
  d.x.resize(100, 2);
  for (long i = 0; i < 100; ++i) {
    d.x(i, 0) = static_cast<float>(i);
    d.x(i, 1) = 5.0f;
    d.labels.push_back(i < 80 ? 0 : 1);  // 80/20 imbalance
  }
  d.numClasses = 2;
  d.shape = Shape{2};
  Standardizer s;
  s.fit(d.x);
  Matrix x = d.x;
  s.apply(x);
  EXPECT_NEAR(x.col(0).mean(), 0.0f, 1e-5);
  EXPECT_NEAR(std::sqrt(x.col(0).squaredNorm() / 100), 1.0f, 1e-4);
  EXPECT_FLOAT_EQ(x(3, 1), 0.0f);  // constant feature: centred, not divided by zero
  const Matrix oh = oneHot({1, 0}, 3);
  EXPECT_EQ(oh, (Matrix(2, 3) << 0, 1, 0, 1, 0, 0).finished());
  EXPECT_THROW(oneHot({3}, 3), Error);
  DatasetSplit sp = stratifiedSplit(d, 0.2, 0.1, 42);
  EXPECT_EQ(sp.train.size() + sp.validation.size() + sp.test.size(), 100);
  auto countOnes = [](const Dataset& ds) { return std::count(ds.labels.begin(), ds.labels.end(), 1); };
  EXPECT_EQ(countOnes(sp.validation), 4);  // 20% of the 20 minority samples
  EXPECT_EQ(countOnes(sp.test), 2);
  EXPECT_EQ(sp.validation.size(), 20);
  DatasetSplit again = stratifiedSplit(d, 0.2, 0.1, 42);
  EXPECT_EQ(again.train.x, sp.train.x);
  EXPECT_THROW(stratifiedSplit(d, 0.6, 0.5, 1), Error);
}

TEST(DatasetSource, DispatchesOnScheme) {
  writeAll("spec.csv", "f,label\n1,a\n2,b\n");
  EXPECT_EQ(loadDatasetSpec("csv:spec.csv#label").size(), 2);
  writeAll("spec.arff", kArff);
  EXPECT_EQ(loadDatasetSpec("arff:spec.arff").numClasses, 5);
  EXPECT_EQ(loadDatasetSpec("arff:spec.arff#j_eta").targets.rows(), 3);
  writeAll("img.idx", idxImages());
  writeAll("lab.idx", idxLabels(3));
  EXPECT_EQ(loadDatasetSpec("idx:img.idx,lab.idx").size(), 3);
  writeNpy("sx.npy", {2, 3}, {1, 2, 3, 4, 5, 6});
  writeNpy("sy.npy", {2}, {0, 1});
  EXPECT_EQ(loadDatasetSpec("npy:sx.npy,sy.npy").numClasses, 2);
  EXPECT_EQ(loadDatasetSpec("fashion-mnist:test", "unused", MMLC_FASHION_MNIST_DIR).size(), 10000);
  expectError([] { loadDatasetSpec("ftp:foo"); }, {"ftp:foo", "unknown scheme"});
  expectError([] { loadDatasetSpec("csv:nolabel.csv"); }, {"csv:nolabel.csv", "label column"});
  expectError([] { loadDatasetSpec("fashion-mnist:dev"); }, {"fashion-mnist:dev"});
}
