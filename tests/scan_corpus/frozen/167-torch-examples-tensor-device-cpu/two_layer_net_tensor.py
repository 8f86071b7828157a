import torch

"""
A fully-connected ReLU network with one hidden layer and no biases, trained to
predict y from x by minimizing squared Euclidean distance, with the forward and
backward passes written by hand on tensors.
"""

device = torch.device('cpu')
# device = torch.device('cuda') # Uncomment this to run on GPU

# batch, input dim, hidden dim, output dim
B, D_in, H, D_out = 64, 1000, 100, 10

x = torch.randn(B, D_in, device=device)
y = torch.randn(B, D_out, device=device)

w1 = torch.randn(D_in, H, device=device)
w2 = torch.randn(H, D_out, device=device)

lr = 1e-6
for t in range(500):
  h = x.mm(w1)
  h_relu = h.clamp(min=0)
  y_pred = h_relu.mm(w2)

  loss = (y_pred - y).pow(2).sum()
  print(t, loss.item())

  grad_y_pred = 2.0 * (y_pred - y)
  grad_w2 = h_relu.t().mm(grad_y_pred)
  grad_h_relu = grad_y_pred.mm(w2.t())
  grad_h = grad_h_relu.clone()
  grad_h[h < 0] = 0
  grad_w1 = x.t().mm(grad_h)

  w1 -= lr * grad_w1
  w2 -= lr * grad_w2
