// Unit tests of the module loader: import search order and diagnostics from in-memory sources.
#include "mml/Dialect/MML/MMLOps.h"
#include "mml/FrontEnd/ModuleLoader.h"
#include "mml/InitAllMML.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

using namespace mml;

namespace {
class ModuleLoaderTest : public ::testing::Test {
protected:
  ModuleLoaderTest() {
    mlir::DialectRegistry registry;
    registerAllDialects(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
    llvm::sys::fs::createUniqueDirectory("mml-loader", root);
    handler = std::make_unique<mlir::ScopedDiagnosticHandler>(&context, [this](mlir::Diagnostic &d) {
      std::string s;
      llvm::raw_string_ostream os(s);
      os << d.getLocation() << ": " << d.str();
      messages.push_back(s);
      return mlir::success();
    });
  }
  ~ModuleLoaderTest() override { llvm::sys::fs::remove_directories(root); }

  std::string write(llvm::StringRef relative, llvm::StringRef text) {
    llvm::SmallString<256> path(root);
    llvm::sys::path::append(path, relative);
    llvm::sys::fs::create_directories(llvm::sys::path::parent_path(path));
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    os << text;
    return std::string(path);
  }

  mlir::MLIRContext context;
  llvm::SmallString<256> root;
  std::vector<std::string> messages;
  std::unique_ptr<mlir::ScopedDiagnosticHandler> handler;
};

TEST_F(ModuleLoaderTest, SearchesImporterThenIncludeDirsThenStdlib) {
  std::string main = write("proj/main.mml", "main {}\n");
  write("proj/local.mml", "");
  write("inc/both.mml", "");
  write("proj/both.mml", "");
  write("std/lib.mml", "");
  llvm::SourceMgr sm;
  FrontEndOptions options;
  options.includeDirs = {(root + "/inc").str()};
  options.stdlibDir = (root + "/std").str();
  ModuleLoader loader(context, sm, options);
  EXPECT_NE(loader.resolveImport("local.mml", main).find("proj/local.mml"), std::string::npos);
  EXPECT_NE(loader.resolveImport("both.mml", main).find("proj/both.mml"), std::string::npos);
  EXPECT_NE(loader.resolveImport("lib.mml", main).find("std/lib.mml"), std::string::npos);
  EXPECT_EQ(loader.resolveImport("none.mml", main), "");
}

TEST_F(ModuleLoaderTest, SyntaxErrorsAreLocatedDiagnostics) {
  llvm::SourceMgr sm;
  ModuleLoader loader(context, sm, {});
  EXPECT_FALSE(loader.parseSource("main {\n  x = ;\n}\n", "mem.mml"));
  ASSERT_FALSE(messages.empty());
  EXPECT_NE(messages.front().find("mem.mml\":2:7)"), std::string::npos) << messages.front();
}

TEST_F(ModuleLoaderTest, UnitLiteralsBecomeFloats) {
  llvm::SourceMgr sm;
  ModuleLoader loader(context, sm, {});
  auto module = loader.parseSource("float a = 200MHz;\nfloat b = 1us;\nfloat c = 25%;\n", "u.mml");
  ASSERT_TRUE(module);
  std::vector<double> values;
  module->walk([&](mlir::arith::ConstantOp c) {
    values.push_back(llvm::cast<mlir::FloatAttr>(c.getValue()).getValueAsDouble());
  });
  ASSERT_EQ(values.size(), 3u);
  EXPECT_DOUBLE_EQ(values[0], 5.0);    // ns period of 200 MHz
  EXPECT_DOUBLE_EQ(values[1], 1000.0); // ns
  EXPECT_DOUBLE_EQ(values[2], 0.25);
}

TEST_F(ModuleLoaderTest, InvalidUtf8IsRejectedWithAPosition) {
  llvm::SourceMgr sm;
  ModuleLoader loader(context, sm, {});
  EXPECT_FALSE(loader.parseSource("main {\n  x = \"\xff\";\n}\n", "bad.mml"));
  ASSERT_FALSE(messages.empty());
  EXPECT_NE(messages.front().find("bad.mml\":2:8): invalid UTF-8"), std::string::npos)
      << messages.front();
}
} // namespace

TEST_F(ModuleLoaderTest, UnsavedBuffersReplaceTheDiskAndCanBeImportedUnsaved) {
  std::string main = write("proj/main.mml", "");
  write("proj/lib.mml", "task on_disk(m: dnn) -> dnn;\n");
  llvm::SourceMgr sm;
  FrontEndOptions options;
  std::string lib = ModuleLoader(context, sm, options).resolveImport("lib.mml", main);
  ASSERT_FALSE(lib.empty());
  llvm::SmallString<256> unsavedOnly(llvm::sys::path::parent_path(lib));
  llvm::sys::path::append(unsavedOnly, "fresh.mml"); // open in an editor, never saved
  auto buffers = std::make_shared<std::map<std::string, std::string>>();
  (*buffers)[lib] = "task in_buffer(m: dnn) -> dnn;\n";
  (*buffers)[std::string(unsavedOnly)] = "task fresh(m: dnn) -> dnn;\n";
  options.unsavedBuffers = buffers;
  ModuleLoader loader(context, sm, options);
  EXPECT_EQ(loader.resolveImport("lib.mml", main), lib);
  EXPECT_EQ(loader.resolveImport("fresh.mml", main), std::string(unsavedOnly));
  EXPECT_EQ(loader.resolveImport("gone.mml", main), "");
  mlir::OwningOpRef<mlir::ModuleOp> module =
      loader.parseSource("import \"lib.mml\";\nimport \"fresh.mml\";\nmain {}\n", main);
  ASSERT_TRUE(module);
  ASSERT_TRUE(mlir::succeeded(loader.resolveImports(*module))) << (messages.empty() ? "" : messages.front());
  mlir::SymbolTable symbols(*module);
  EXPECT_TRUE(symbols.lookup("in_buffer"));
  EXPECT_TRUE(symbols.lookup("fresh"));
  EXPECT_FALSE(symbols.lookup("on_disk")); // the disk's text is not read while a buffer is open
}
