pip install --upgrade "jax[cuda12_pip]" -f https://storage.googleapis.com/jax-releases/jax_cuda_releases.html
pip install torch==1.13.1
pip install torchvision==0.14.1
pip install equinox
pip install optax
pip install tqdm
pip install numpy==1.26
pip install -e .
