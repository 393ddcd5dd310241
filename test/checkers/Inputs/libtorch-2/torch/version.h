// Mock of LibTorch's torch/version.h: the 2.x API (zero_grad(bool set_to_none = true)).
#pragma once
#define TORCH_VERSION_MAJOR 2
#define TORCH_VERSION_MINOR 1
