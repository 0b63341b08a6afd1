"""The guide's training loop written out with the engine alone: initialize, forward, loss,
backward, update, repeat — a 2-layer network learning XOR-like data, its loss printed as it falls."""

import numpy as np

import neuronet as nn
from neuronet import ops

nn.config.set_random_seed(0)
rng = np.random.default_rng(0)
x = rng.uniform(-1, 1, (256, 2)).astype("float32")
y = ((x[:, :1] * x[:, 1:]) > 0).astype("float32")          # label: same sign on both axes

# 1. initialize: weights small and random, biases zero
w1 = nn.Tensor(rng.normal(0, 1.0, (2, 16)), requires_grad=True, dtype="float32")
b1 = nn.Tensor(np.zeros(16), requires_grad=True, dtype="float32")
w2 = nn.Tensor(rng.normal(0, 0.25, (16, 1)), requires_grad=True, dtype="float32")
b2 = nn.Tensor(np.zeros(1), requires_grad=True, dtype="float32")
params = [w1, b1, w2, b2]
learning_rate = 0.5

for step in range(501):
    # 2. forward propagation: weighted sums and activations, layer by layer
    hidden = ops.tanh(x @ w1 + b1)
    p = ops.sigmoid(hidden @ w2 + b2)
    # 3. loss: binary cross-entropy
    loss = -ops.mean(y * ops.log(p + 1e-7) + (1 - y) * ops.log(1 - p + 1e-7))
    # 4. backward: the chain rule, op by op in reverse
    for t in params:
        t.grad = None
    loss.backward()
    # 5. update: gradient descent, w ← w − learning_rate · dL/dw
    for t in params:
        t.data -= learning_rate * t.grad
    if step % 50 == 0:
        accuracy = float(((p.data > 0.5) == y).mean())
        print(f"step {step:3d}  loss {loss.item():.4f}  accuracy {accuracy:.3f}")
