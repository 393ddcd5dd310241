// Mock of LibTorch's torch/version.h: the 1.13 API.
#pragma once
#define TORCH_VERSION_MAJOR 1
#define TORCH_VERSION_MINOR 13
