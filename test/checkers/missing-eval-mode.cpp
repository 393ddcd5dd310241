// RUN: %check_torch_tidy %s torch-missing-eval-mode %t -- -- %mock_torch
// RUN: %check_torch_tidy %s torch-missing-eval-mode %t -- -- %mock_torch2

#include <torch/torch.h>

// ---- Positives ---------------------------------------------------------------

// ---- Negatives: the correct idioms -----------------------------------------
