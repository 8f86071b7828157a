# conda create -n shapegen python=3.8
# conda activate shapegen
pip install torch==1.9.0+cu111 torchvision==0.10.0+cu111 torchaudio==0.9.0 -f https://download.pytorch.org/whl/torch_stable.html
pip install ninja xatlas gdown
pip install git+https://github.com/NVlabs/nvdiffrast/
pip install imageio h5py tqdm scipy tensorboard click
pip install git+https://github.com/openai/CLIP.git
pip install --upgrade "jax[cpu]"
pip install flax==0.5.3
pip install dm_pix
apt-get install libegl1-mesa-dev
