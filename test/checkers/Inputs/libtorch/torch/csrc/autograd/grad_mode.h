// Mock of torch/csrc/autograd/grad_mode.h: the torch::autograd spellings.
#pragma once
#include <c10/core/GradMode.h>
namespace torch::autograd {
using GradMode = at::GradMode;
using AutoGradMode = at::AutoGradMode;
} // namespace torch::autograd
