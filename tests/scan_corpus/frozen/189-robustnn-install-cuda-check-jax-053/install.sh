#!/bin/bash

# Return 0 when an NVIDIA driver / CUDA toolchain is present
check_cuda() {
    if command -v nvidia-smi &> /dev/null; then
        if nvidia-smi &> /dev/null; then
            echo "CUDA detected: $(nvidia-smi --query-gpu=driver_version --format=csv,noheader,nounits | head -n1)"
            return 0
        fi
    fi

    if command -v nvcc &> /dev/null; then
        echo "CUDA compiler detected: $(nvcc --version | grep release | awk '{print $6}' | cut -c2-)"
        return 0
    fi

    echo "No CUDA detected"
    return 1
}

python3 -m venv venv
source venv/bin/activate

pip install pip --upgrade
pip install -r requirements.txt

# Pick the jax build from the hardware
if check_cuda; then
    pip install "jax[cuda12_pip]==0.5.3"
else
    pip install "jax<=0.5.3"
fi

pip install -e . --use-pep517
