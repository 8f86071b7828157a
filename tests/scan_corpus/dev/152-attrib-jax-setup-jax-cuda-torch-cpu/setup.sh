pip install -U "jax[cuda12]"
pip install -q clu==0.0.12 ml-collections==0.1.1 flax==0.8.5
pip install jupyter==1.0.0
pip install pandas==2.2.2
pip install matplotlib==3.9.1

# Install the customized model zoo
git submodule update --init --recursive
cd ./modelzoo
pip install -e .
cd ..

# Install PyTorch (CPU)
pip3 install torch torchvision torchaudio --index-url https://download.pytorch.org/whl/cpu
