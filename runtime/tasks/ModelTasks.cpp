// Model builders: `mlp` (and the other untrained-network builders).
#include "tasks/TaskContext.h"

#include "nn/Network.h"

namespace mmlc::tasks {

namespace {
nn::LayerSpec activationLayer(const std::string &name) {
  return name == "relu"      ? nn::layers::relu()
         : name == "tanh"    ? nn::layers::tanh()
         : name == "sigmoid" ? nn::layers::sigmoid()
                             : nn::layers::leakyRelu();
}
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

} // namespace mmlc::tasks
