// SPDX-License-Identifier: Apache-2.0
// The header precompiled once for the runtime corpus: every case includes it first.
#include <torch/torch.h>
