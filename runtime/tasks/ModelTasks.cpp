// Model builders: the untrained networks `mlp`, `cnn`, `resnet` and `vgg` (graph networks).
#include "tasks/TaskContext.h"

#include "nn/ActivationLayers.h"
#include "nn/Network.h"

namespace mmlc::tasks {

namespace {
nn::LayerSpec activationLayer(const std::string &name) {
  return nn::activationFromMmlName(name); // the engine's activation table (nn/ActivationLayers.cpp)
}

/// The empty network of the image builders: channels-first `channels` x `height` x `width` input
/// (for one channel, the row-major image, which is how IDX and flat 784-pixel data are stored),
/// weights initialised from `seed`.
std::shared_ptr<nn::Network> imageNetwork(const TaskArgs &a) {
  return std::make_shared<nn::Network>(
      nn::Shape{static_cast<int>(a.i("channels")), static_cast<int>(a.i("height")),
                static_cast<int>(a.i("width"))},
      static_cast<uint64_t>(a.i("seed")));
}

/// The classifier of `cnn` and `vgg`: optional dropout, the hidden `dense` widths with
/// `activation`, the output layer and softmax.
void denseHead(TaskContext &ctx, nn::Network &net, const std::string &activation) {
  const TaskArgs &a = ctx.args;
  if (a.f("dropout") > 0)
    net.add(nn::layers::dropout(static_cast<float>(a.f("dropout"))));
  for (std::int64_t units : a.ints("dense")) {
    if (units < 1)
      throw ctx.error("dense layer widths must be at least 1, got " + std::to_string(units));
    net.add(nn::layers::dense(static_cast<int>(units)));
    net.add(activationLayer(activation));
  }
  net.add(nn::layers::dense(static_cast<int>(a.i("outputs"))));
  net.add(nn::layers::softmax());
}

/// Reads `filters` (each at least 1) and checks there are `count` of them (0: any number >= 1).
/// `cnn`, `resnet` and `vgg` read their filters and report bad ones only here.
std::vector<int> filterList(TaskContext &ctx, size_t count) {
  std::vector<int> out;
  for (std::int64_t f : ctx.args.ints("filters")) {
    if (f < 1)
      throw ctx.error("filters[" + std::to_string(out.size()) + "] is " + std::to_string(f) +
                      "; every convolution needs at least 1 filter");
    out.push_back(static_cast<int>(f));
  }
  if (count ? out.size() != count : out.empty())
    throw ctx.error("filters needs " + (count ? std::to_string(count) + " entries" : std::string("an entry")) +
                    ", got " + std::to_string(out.size()));
  return out;
}

/// Appends conv 3x3 ("same") [+ BN] + ReLU reading `from` (empty: the previous layer); returns the
/// ReLU's name. The batch norms' running statistics use momentum 0.9 (PyTorch's 0.1 update) rather
/// than Keras' 0.99: with the few hundred steps of a short run, 0.99 leaves them near their
/// initial values and the trained network is wrong at inference.
std::string convBlock(nn::Network &net, int filters, bool batchnorm, const std::string &from = "") {
  nn::LayerSpec conv = nn::layers::same(nn::layers::conv2d(filters, 3));
  if (!from.empty())
    conv.inputs = {from};
  net.add(conv);
  if (batchnorm)
    net.add(nn::layers::batchNorm(1e-3f, 0.9f));
  net.add(nn::layers::relu());
  return net.layer(net.size() - 1).spec().name;
}

/// (C, H, W) of the network's current output.
int dim(const nn::Network &net, int d) { return net.outputShape().dims[static_cast<size_t>(d)]; }
} // namespace

void runMlp(TaskContext &ctx) {
  const TaskArgs &a = ctx.args;
  auto net = std::make_shared<nn::Network>(nn::Shape{static_cast<int>(a.i("inputs"))},
                                           static_cast<uint64_t>(a.i("seed")));
  for (std::int64_t width : a.ints("hidden")) {
    net->add(nn::layers::dense(static_cast<int>(width)));
    if (a.b("batchnorm"))
      net->add(nn::layers::batchNorm());
    net->add(activationLayer(a.s("activation")));
    if (a.f("dropout") > 0)
      net->add(nn::layers::dropout(static_cast<float>(a.f("dropout"))));
  }
  net->add(nn::layers::dense(static_cast<int>(a.i("outputs"))));
  if (a.s("output_activation") == "softmax")
    net->add(nn::layers::softmax());
  else if (a.s("output_activation") == "sigmoid")
    net->add(nn::layers::sigmoid());
  ctx.store.dnns[ctx.key] = {std::move(net), ""};
}

void runCnn(TaskContext &ctx) {
  const TaskArgs &a = ctx.args;
  int height = static_cast<int>(a.i("height")), width = static_cast<int>(a.i("width"));
  int kernel = static_cast<int>(a.i("kernel")), pool = static_cast<int>(a.i("pool"));
  auto net = imageNetwork(a);
  std::vector<int> filters = filterList(ctx, 0);
  for (size_t stage = 0; stage < filters.size(); ++stage) {
    if (height < kernel || width < kernel)
      throw ctx.error("convolution " + std::to_string(stage + 1) + " gets a " +
                      std::to_string(height) + "x" + std::to_string(width) +
                      " feature map, smaller than the " + std::to_string(kernel) + "x" +
                      std::to_string(kernel) + " kernel; use fewer convolutions, a smaller "
                      "kernel or pool");
    // Unpadded ("valid") convolutions: the HLS templates support no padding.
    net->add(nn::layers::conv2d(static_cast<int>(filters[stage]), kernel));
    height -= kernel - 1;
    width -= kernel - 1;
    if (a.b("batchnorm"))
      net->add(nn::layers::batchNorm());
    net->add(activationLayer(a.s("activation")));
    if (pool > 1) {
      if (height < pool || width < pool)
        throw ctx.error("pooling after convolution " + std::to_string(stage + 1) + " gets a " +
                        std::to_string(height) + "x" + std::to_string(width) +
                        " feature map, smaller than the pool size " + std::to_string(pool));
      net->add(nn::layers::maxPool(pool));
      height /= pool;
      width /= pool;
    }
  }
  net->add(nn::layers::flatten());
  denseHead(ctx, *net, a.s("activation"));
  ctx.store.dnns[ctx.key] = {std::move(net), ""};
}

void runResnet(TaskContext &ctx) {
  const TaskArgs &a = ctx.args;
  std::vector<int> f = filterList(ctx, 4);
  bool bn = a.b("batchnorm");
  auto net = imageNetwork(a);
  // A residual block: two conv-BN-ReLU and the block's input added to their output.
  auto residual = [&](int filters) {
    std::string in = net->layer(net->size() - 1).spec().name;
    convBlock(*net, filters, bn);
    std::string out = convBlock(*net, filters, bn);
    net->add(nn::layers::add({in, out}));
  };
  convBlock(*net, f[0], bn); // stem
  for (int stage = 1; stage <= 3; ++stage) {
    convBlock(*net, f[static_cast<size_t>(stage)], bn);
    net->add(nn::layers::same(nn::layers::maxPool(2)));
    if (stage != 2)
      residual(f[static_cast<size_t>(stage)]);
  }
  // Global max-pool over what is left (4x4 for 28x28 inputs), then the classifier.
  if (dim(*net, 1) > 1 || dim(*net, 2) > 1) {
    nn::LayerSpec pool = nn::layers::maxPool(1);
    pool.kernelH = pool.strideH = dim(*net, 1);
    pool.kernelW = pool.strideW = dim(*net, 2);
    net->add(pool);
  }
  net->add(nn::layers::flatten());
  net->add(nn::layers::dense(static_cast<int>(a.i("outputs"))));
  net->add(nn::layers::softmax());
  ctx.store.dnns[ctx.key] = {std::move(net), ""};
}

void runVgg(TaskContext &ctx) {
  const TaskArgs &a = ctx.args;
  std::vector<int> f = filterList(ctx, 0);
  bool bn = a.b("batchnorm");
  auto net = imageNetwork(a);
  for (int filters : f) {
    convBlock(*net, filters, bn);
    convBlock(*net, filters, bn);
    net->add(nn::layers::same(nn::layers::maxPool(2)));
  }
  net->add(nn::layers::flatten());
  denseHead(ctx, *net, "relu");
  ctx.store.dnns[ctx.key] = {std::move(net), ""};
}

} // namespace mmlc::tasks
