import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from astropy.table import Table

from SpecEncoder import D_emb, SpecEncoder
from Tokeniser import P, V, X, valid_spectrum

# ---- Load catalog and align to valid spectra ---------------------------------
catalog = Table.read('emission_lines_catalog.csv.gz', format='ascii')
catalog = catalog[valid_spectrum]
mask_g3 = np.array(catalog['grade'].filled(0)) == 3
z_g3 = torch.from_numpy(np.array(catalog['z_best'][mask_g3], dtype=np.float32))

# ---- Encode grade-3 spectra with frozen model --------------------------------
device = 'cpu'
if torch.cuda.is_available():
    device = 'cuda'
if torch.backends.mps.is_available():
    device = 'mps'

patch_size = 10
model = SpecEncoder(patch_dim=patch_size + 2).to(device)
model.load_state_dict(torch.load('spec_encoder_n20000.pt', map_location=device, weights_only=True))
model.eval()

with torch.no_grad():
    emb = model.encode(
        torch.from_numpy(X[mask_g3]).float().to(device),
        torch.from_numpy(V[mask_g3]).bool().to(device),
        torch.from_numpy(P).float().to(device),
    ).cpu()

# ---- 50/50 train/test split --------------------------------------------------
n = len(z_g3)
idx = torch.randperm(n, generator=torch.Generator().manual_seed(42))
split = n // 2
emb_train, emb_test = emb[idx[:split]], emb[idx[split:]]
z_train, z_test = z_g3[idx[:split]], z_g3[idx[split:]]
z_mean, z_std = z_train.mean(), z_train.std()
z_train_n = (z_train - z_mean) / z_std

# ---- Linear head, encoder frozen --------------------------------------------
head = nn.Sequential(nn.LayerNorm(D_emb), nn.Linear(D_emb, 1))
opt = torch.optim.AdamW(head.parameters(), lr=1e-2)

head.train()
for step in range(2000):
    batch = torch.randint(len(emb_train), (256,))
    loss = F.mse_loss(head(emb_train[batch]).squeeze(-1), z_train_n[batch])
    opt.zero_grad()
    loss.backward()
    opt.step()

head.eval()
with torch.no_grad():
    z_pred = head(emb_test).squeeze(-1) * z_std + z_mean
print(f'MAE {(z_pred - z_test).abs().mean().item():.4f}')
