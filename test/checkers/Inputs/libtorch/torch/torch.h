// Mock of <torch/torch.h>: the smallest LibTorch that the checks' tests need.
#pragma once
#include <torch/nn/functional/activation.h>
#include <torch/nn/module.h>
#include <torch/nn/modules.h>
#include <torch/optim.h>
#include <torch/serialize.h>
#include <torch/types.h>
