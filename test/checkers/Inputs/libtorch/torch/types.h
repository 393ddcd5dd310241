// Mock of torch/types.h and torch/utils.h: the torch:: spellings.
#pragma once
#include <ATen/core/TensorBody.h>
#include <c10/core/GradMode.h>
#include <c10/core/InferenceMode.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/InferenceMode.h>
#include <torch/csrc/autograd/grad_mode.h>
#include <torch/version.h>
namespace torch {
using namespace at; // NOLINT: as in LibTorch
using NoGradGuard = at::NoGradGuard;
using AutoGradMode = at::AutoGradMode;
using InferenceMode = c10::InferenceMode;
} // namespace torch
