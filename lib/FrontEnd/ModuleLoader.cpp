// Loads .mml files: resolves import paths, detects cycles, caches imports and merges them.
#include "mml/FrontEnd/ModuleLoader.h"
#include "mml/Dialect/MML/MMLOps.h"
#include "mml/FrontEnd/MLIRGen.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using namespace mml;

#ifndef MMLC_STDLIB_DIR
#define MMLC_STDLIB_DIR ""
#endif

std::string mml::getDefaultStdlibDir() {
  if (const char *env = std::getenv("MMLC_STDLIB"))
    return env;
  return MMLC_STDLIB_DIR;
}

std::vector<std::string> mml::importSearchDirs(StringRef fromFile, const FrontEndOptions &options) {
  std::vector<std::string> dirs;
  dirs.push_back(llvm::sys::path::parent_path(fromFile).str());
  for (const std::string &d : options.includeDirs)
    dirs.push_back(d);
  std::string stdlib = options.stdlibDir.empty() ? getDefaultStdlibDir() : options.stdlibDir;
  if (!stdlib.empty())
    dirs.push_back(stdlib);
  return dirs;
}

const std::string *FrontEndOptions::unsavedText(StringRef path) const {
  if (!unsavedBuffers)
    return nullptr;
  auto it = unsavedBuffers->find(path.str());
  return it == unsavedBuffers->end() ? nullptr : &it->second;
}

std::string mml::resolveImportPath(StringRef spec, StringRef fromFile,
                                   const FrontEndOptions &options) {
  auto exists = [](const llvm::Twine &p) { return llvm::sys::fs::is_regular_file(p); };
  // An editor buffer not saved yet: found under its own (absolute, dot-free) path.
  auto unsaved = [&](StringRef p) -> std::string {
    if (!options.unsavedBuffers)
      return {};
    llvm::SmallString<256> clean(p);
    llvm::sys::fs::make_absolute(clean);
    llvm::sys::path::remove_dots(clean, /*remove_dot_dot=*/true);
    return options.unsavedText(clean) ? std::string(clean) : std::string();
  };
  if (llvm::sys::path::is_absolute(spec))
    return exists(spec) ? spec.str() : unsaved(spec);
  for (const std::string &dir : importSearchDirs(fromFile, options)) {
    llvm::SmallString<256> candidate(dir.empty() ? "." : dir);
    llvm::sys::path::append(candidate, spec);
    if (std::string buffer = unsaved(candidate); !buffer.empty() && !exists(candidate))
      return buffer;
    if (exists(candidate)) {
      llvm::SmallString<256> real;
      if (!llvm::sys::fs::real_path(candidate, real))
        return std::string(real);
      return std::string(candidate);
    }
  }
  return {};
}

ModuleLoader::ModuleLoader(MLIRContext &context, llvm::SourceMgr &sourceMgr,
                           FrontEndOptions options)
    : context(context), sourceMgr(sourceMgr), options(std::move(options)) {
  if (this->options.stdlibDir.empty())
    this->options.stdlibDir = getDefaultStdlibDir();
}

ModuleLoader::~ModuleLoader() = default;

OwningOpRef<ModuleOp> ModuleLoader::parseFile(StringRef path) {
  if (const std::string *text = options.unsavedText(path))
    return parseSource(*text, path); // open in an editor: its unsaved text
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer) {
    emitError(UnknownLoc::get(&context))
        << "cannot read '" << path << "': " << buffer.getError().message();
    return nullptr;
  }
  return parseBuffer(std::move(*buffer), path);
}

OwningOpRef<ModuleOp> ModuleLoader::parseSource(StringRef source, StringRef name) {
  return parseBuffer(llvm::MemoryBuffer::getMemBufferCopy(source, name), name);
}

OwningOpRef<ModuleOp> ModuleLoader::parseBuffer(std::unique_ptr<llvm::MemoryBuffer> buffer,
                                                StringRef name) {
  StringRef text = buffer->getBuffer();
  std::string fileName = name.str();
  // Registered so diagnostics can quote the line; the SourceMgr owns the buffer from here.
  sourceMgr.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
  loadingStack.push_back(fileName);
  OwningOpRef<ModuleOp> module = mlirGen(context, *this, text, fileName);
  loadingStack.pop_back();
  return module;
}

std::string ModuleLoader::resolveImport(StringRef spec, StringRef fromFile) const {
  return resolveImportPath(spec, fromFile, options);
}

ModuleOp ModuleLoader::loadImport(StringRef resolvedPath, Location importLoc) {
  auto cached = imports.find(resolvedPath);
  if (cached != imports.end())
    return cached->second.get();
  for (size_t i = 0; i < loadingStack.size(); ++i) {
    llvm::SmallString<256> real;
    if (llvm::sys::fs::real_path(loadingStack[i], real))
      real = loadingStack[i];
    if (real == resolvedPath) {
      InFlightDiagnostic diag = emitError(importLoc) << "import cycle: ";
      for (size_t j = i; j < loadingStack.size(); ++j)
        diag << llvm::sys::path::filename(loadingStack[j]) << " -> ";
      diag << llvm::sys::path::filename(resolvedPath);
      return nullptr;
    }
  }
  if (loadingStack.size() > 64) {
    emitError(importLoc) << "imports nested more than 64 deep";
    return nullptr;
  }
  OwningOpRef<ModuleOp> module = parseFile(resolvedPath);
  if (!module) {
    emitError(importLoc) << "in the file imported here";
    return nullptr;
  }
  if (failed(resolveImports(*module)))
    return nullptr;
  ModuleOp result = module.get();
  imports[resolvedPath] = std::move(module);
  return result;
}

/// The file a symbol was declared in, from its location.
static StringRef declaringFile(Operation *op) {
  if (auto l = dyn_cast<FileLineColLoc>(op->getLoc()))
    return l.getFilename().getValue();
  return "";
}

LogicalResult ModuleLoader::resolveImports(ModuleOp module) {
  SmallVector<ImportOp> importOps(module.getOps<ImportOp>());
  if (importOps.empty())
    return success();
  SymbolTable symbols(module);
  StringRef fromFile = declaringFile(module);
  for (ImportOp imp : importOps) {
    std::string resolved = imp.getResolved() ? imp.getResolved()->str()
                                             : resolveImport(imp.getPath(), fromFile);
    if (resolved.empty())
      return imp.emitError("cannot find imported file '")
             << imp.getPath() << "' (searched the importing file's folder, -I folders and the "
                                 "stdlib)";
    ModuleOp imported = loadImport(resolved, imp.getLoc());
    if (!imported)
      return failure();
    // Imported declarations go first, in their file's order, ahead of the importer's own.
    OpBuilder builder(module.getContext());
    builder.setInsertionPoint(imp);
    for (Operation &op : imported.getBody()->getOperations()) {
      if (isa<CfgEntryOp>(op))
        continue; // cfg blocks configure their own file's main only
      auto symbol = dyn_cast<SymbolOpInterface>(op);
      if (!symbol)
        continue;
      if (symbol.getName() == "main")
        continue; // an imported file's main is not run
      if (Operation *existing = symbols.lookup(symbol.getName())) {
        if (declaringFile(existing) == declaringFile(&op) && existing->getLoc() == op.getLoc())
          continue; // the same declaration reached through two imports
        InFlightDiagnostic diag = existing->emitError("'")
                                  << symbol.getName() << "' is declared twice";
        diag.attachNote(op.getLoc()) << "also declared here";
        return failure();
      }
      symbols.insert(builder.clone(op));
    }
    imp.erase();
  }
  return success();
}
