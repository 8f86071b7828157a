"""Typical reports, one or more per cause, in the shapes people write them (real message formats from
tests/fixtures/reference/gpu-error-messages.md; prose written for these tests, not taken from the corpus). A
regression guard for the general reading of reports; the corpus splits measure accuracy."""

from __future__ import annotations

import pytest

from helpers import triage_on_evidence as triage  # the readings alone (WG836's vote: test_similar_reports.py)

CASES = [
    ('cpu_only_package',
     "I did pip install tensorflow-cpu==2.10 and tf.config.list_physical_devices('GPU') returns []"),
    ('cpu_only_package',
     'conda install pytorch torchvision cpuonly -c pytorch\n>>> torch.cuda.is_available()\nFalse'),
    ('cpu_only_package',
     'AssertionError: Torch not compiled with CUDA enabled'),
    ('windows_native_unsupported',
     'Windows 11, Python 3.11, pip install tensorflow==2.15.0. GPU is RTX 4090 but TF only uses CPU.'),
    ('driver_too_old',
     'RuntimeError: The NVIDIA driver on your system is too old (found version 10020). Please update your GPU driver'),
    ('driver_too_old',
     'torch 2.1.0+cu121, nvidia-smi shows Driver Version: 470.82.01 CUDA Version: 11.4, cuda not available'),
    ('compute_capability_unsupported',
     'NVIDIA GeForce GTX 770 with CUDA capability sm_30 is not compatible with the current PyTorch installation.'),
    ('compute_capability_unsupported',
     'I have a Tesla K80 and torch 2.1.0+cu121 does not use it'),
    ('gpu_memory_exhausted',
     'RuntimeError: CUDA out of memory. Tried to allocate 20.00 MiB (GPU 0; 7.79 GiB total capacity; 6.5 GiB already allocated)'),
    ('keras_backend_other',
     "import keras\nprint(keras.backend.backend())\n# 'jax'\nI installed tensorflow with GPU but keras runs on CPU"),
    ('cuda_visible_devices_hidden',
     'In my .bashrc I have export CUDA_VISIBLE_DEVICES="" from an old project; now torch.cuda.is_available() is False'),
    ('wsl_gpu_not_enabled',
     "WSL2 Ubuntu 22.04: nvidia-smi says NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver"),
    ('macos_no_cuda',
     'MacBook Pro M2, torch.cuda.is_available() returns False, how do I enable CUDA?'),
    ('no_nvidia_gpu',
     'My laptop only has Intel Iris Xe graphics. Can I run tensorflow-gpu on it?'),
    ('container_no_gpu',
     "docker run -it pytorch/pytorch:2.1.0-cuda12.1-cudnn8-runtime python -c 'import torch; print(torch.cuda.is_available())'\nFalse"),
    ('driver_not_loaded',
     "After a kernel update, nvidia-smi: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."),
    ('nvidia_uvm_unavailable',
     'After my laptop wakes from sleep, torch.cuda.is_available() returns False with UserWarning: CUDA initialization: CUDA unknown error'),
    ('libs_not_on_path',
     "2023-01-01 10:00:00.000000: W tensorflow/stream_executor/platform/default/dso_loader.cc:64] Could not load dynamic library 'libcudart.so.11.0'; dlerror: libcudart.so.11.0: cannot open shared object file\nI installed CUDA 11.2 and cuDNN 8.1 following NVIDIA's guide."),
    ('python_version_unsupported',
     'pip install tensorflow\nERROR: Could not find a version that satisfies the requirement tensorflow (from versions: none)\nERROR: No matching distribution found for tensorflow\nPython 3.13'),
    ('package_conflict',
     'pip list:\ntensorflow 2.10.0\ntensorflow-gpu 2.10.0\ntensorflow-intel 2.10.0'),
    ('no_problem',
     '2023-01-01 I tensorflow/core/common_runtime/gpu/gpu_device.cc:1613] Created device /job:localhost/replica:0/task:0/device:GPU:0 with 21670 MB memory:  -> device: 0, name: NVIDIA GeForce RTX 3090, pci bus id: 0000:01:00.0, compute capability: 8.6\nW tensorflow/compiler/tf2tensorrt/utils/py_utils.cc:38] TF-TRT Warning: Could not find TensorRT\nIs my GPU used? these warnings worry me'),
    ('code_forces_cpu',
     "device = torch.device('cpu')\nmodel = Net().to(device)\ntraining is slow"),
    ('gpu_access_restricted',
     'nvidia-smi shows Compute Mode: E. Process and another job runs; my job gets RuntimeError: CUDA error: all CUDA-capable devices are busy or unavailable'),
    ('fabric_manager_not_running',
     '8x A100 SXM4 server: cudaGetDeviceCount returned 802 -> system not yet initialized'),
    ('cudnn_version_mismatch',
     'E tensorflow/stream_executor/cuda/cuda_dnn.cc:361] Loaded runtime CuDNN library: 8.0.5 but source was compiled with: 8.1.0.'),
    ('pip_cuda_libs_not_found',
     "tensorflow 2.16.1 installed with pip install tensorflow[and-cuda] on Ubuntu 22.04 but list_physical_devices('GPU') is empty"),
    ('system_libs_shadow_pip_libs',
     'export LD_LIBRARY_PATH=/usr/local/cuda-11.8/lib64\njax 0.4.30 jax-cuda12-plugin\nCUDA backend failed to initialize: Found cuDNN version 8600, but JAX was built against version 8900, which is newer.'),
    ('keras_backend_other',
     "import keras\nprint(keras.backend.backend())\n# 'jax'\nI installed tensorflow with GPU but keras runs on CPU"),
    ('keras_backend_other',
     'Using Theano backend.\nI set up tensorflow-gpu and CUDA but Keras still trains on the CPU.'),
    ('keras_backend_other',
     'KERAS_BACKEND=torch python train.py runs on CPU, I only installed tensorflow[and-cuda]'),
    ('cuda_visible_devices_hidden',
     'Slurm job: echo $CUDA_VISIBLE_DEVICES prints NoDevFiles and torch sees no GPU'),
    ('cuda_visible_devices_hidden',
     "os.environ['CUDA_VISIBLE_DEVICES'] = '1'\nimport torch\nprint(torch.cuda.device_count())  # 0\nI have one GPU"),
    ('driver_library_mismatch',
     'After sudo apt upgrade, nvidia-smi prints: Failed to initialize NVML: Driver/library version mismatch'),
    ('driver_not_loaded',
     'nvidia-smi: command not found. Ubuntu 22.04 with RTX 3070, fresh install'),
    ('driver_not_loaded',
     'Secure Boot is enabled and after installing nvidia-driver-535 nvidia-smi cannot communicate with the driver'),
    ('cpu_only_package',
     'pip list\ntorch 2.2.1\ntorchvision 0.17.1\n\nWindows 10, RTX 3060, torch.cuda.is_available() False'),
    ('cpu_only_package',
     'conda list | grep pytorch\npytorch    2.1.0   py3.10_cpu_0    pytorch'),
    ('cpu_only_package',
     '>>> import jax\n>>> jax.devices()\n[CpuDevice(id=0)]\nI installed with pip install jax'),
    ('python_version_unsupported',
     'Python 3.13.0 on Windows: pip install tensorflow fails with No matching distribution found for tensorflow'),
    ('gpu_memory_exhausted',
     'tensorflow.python.framework.errors_impl.ResourceExhaustedError: OOM when allocating tensor with shape[256,256]'),
    ('gpu_hardware_fault',
     'dmesg shows NVRM: Xid (PCI:0000:01:00): 79, GPU has fallen off the bus.'),
    ('no_problem',
     ">>> torch.cuda.is_available()\nTrue\n>>> torch.cuda.get_device_name(0)\n'NVIDIA GeForce RTX 3080'\nbut nvidia-smi shows 0% utilization while training (my python process holds 1841MiB), is it using the GPU?"),
    ('compute_capability_unsupported',
     'W tensorflow/core/common_runtime/gpu/gpu_device.cc:1934] Ignoring visible gpu device (device: 0, name: Quadro K2000, pci bus id: 0000:01:00.0, compute capability: 3.0) with Cuda compute capability 3.0. The minimum required Cuda capability is 3.5.'),
    ('wsl_gpu_not_enabled',
     "WSL1 Ubuntu, tensorflow doesn't see my GPU"),
    ('container_no_gpu',
     'In my Dockerfile FROM tensorflow/tensorflow:2.15.0-gpu; I start it with docker-compose up; inside nvidia-smi: command not found'),
    ('nvidia_uvm_unavailable',
     'cuInit failed: CUDA_ERROR_UNKNOWN (999) after resume from suspend; reboot fixes it'),
    ('cudnn_missing',
     "Could not load dynamic library 'libcudnn.so.8'; dlerror: libcudnn.so.8: cannot open shared object file: No such file or directory\nTensorFlow 2.11, Ubuntu 20.04, CUDA 11.2 installed, never installed cuDNN"),
    ('libs_not_on_path',
     "Works in terminal but in VS Code Jupyter: Could not load dynamic library 'libcudart.so.11.0'"),
    ('pip_cuda_libs_not_found',
     'pip list | grep nvidia\nnvidia-cudnn-cu12   8.9.7.29\nnvidia-cublas-cu12  12.3.4.1\nnvidia-cuda-runtime-cu12 12.3.101\ntensorflow 2.16.1\nW tensorflow/core/common_runtime/gpu/gpu_device.cc:2251] Cannot dlopen some GPU libraries.'),
    ('driver_too_old',
     'CUDA driver version is insufficient for CUDA runtime version'),
    ('cuda_version_mismatch',
     "TensorFlow 2.4 with CUDA 10.1 installed: Could not load dynamic library 'libcudart.so.11.0'"),
    ('libs_not_on_path',
     "I installed cuDNN 8.6 into /usr/local/cuda/lib64 but TF says Could not load dynamic library 'libcudnn.so.8'. ldconfig -p | grep cudnn shows nothing."),
    ('libs_not_on_path',
     "conda install -c conda-forge cudatoolkit=11.2 cudnn=8.1.0\npip install tensorflow==2.10\nW tensorflow/stream_executor/platform/default/dso_loader.cc:64] Could not load dynamic library 'libcudart.so.11.0'"),
    ('libs_not_on_path',
     "When I run from PyCharm the GPU isn't found, but from the terminal it works. Could not load dynamic library 'libcublas.so.11'"),
    ('cuda_libs_missing',
     "Ubuntu 20.04, pip install tensorflow==2.10, no CUDA installed. Could not load dynamic library 'libcudart.so.11.0'; dlerror: libcudart.so.11.0: cannot open shared object file"),
    ('cuda_version_mismatch',
     "I have CUDA 12.2 installed but tensorflow 2.10 says Could not load dynamic library 'libcudart.so.11.0'"),
    ('cudnn_version_mismatch',
     'E tensorflow/compiler/xla/stream_executor/cuda/cuda_dnn.cc:417] Loaded runtime CuDNN library: 8.1.0 but source was compiled with: 8.6.0.  CuDNN library needs to have matching major version and equal or higher minor version.'),
    ('driver_library_mismatch',
     'NVRM: API mismatch: the client has the version 535.129.03, but this kernel module has the version 535.104.05.'),
    ('nvidia_uvm_unavailable',
     'torch.cuda.is_available() works after reboot but after suspend it is False. nvidia-smi works fine.'),
    ('gpu_access_restricted',
     'MIG is enabled on our A100 and my job sees no CUDA device'),
    ('gpu_memory_exhausted',
     'Could not create cudnn handle: CUDNN_STATUS_INTERNAL_ERROR\nAnother process (jupyter) uses 10GB of the 11GB on my 1080 Ti'),
    ('cpu_only_package',
     'pip install tensorflow==1.15 on Ubuntu, GPU not used; nvidia-smi works, CUDA 10.0 installed'),
    ('cpu_only_package',
     'I installed torch with pip on Windows 10 (pip install torch torchvision), torch.__version__ is 2.3.1 and torch.cuda.is_available() is False'),
    ('package_conflict',
     'Successfully installed tensorflow-2.9.0 tensorflow-gpu-2.9.0\nnow GPU is not found'),
    ('windows_native_unsupported',
     'Windows 10, tensorflow 2.12 installed with pip, CUDA 11.8 and cuDNN 8.6, tf.test.is_built_with_cuda() False'),
    ('python_version_unsupported',
     'Python 3.12 conda env: pip install tensorflow==2.13 -> ERROR: No matching distribution found for tensorflow==2.13'),
    ('code_forces_cpu',
     "import tensorflow as tf\ntf.config.set_visible_devices([], 'GPU')\nmodel.fit(x, y)"),
    ('code_forces_cpu',
     "jax.config.update('jax_platform_name', 'cpu')\nwhy is my JAX on CPU?"),
    ('cuda_visible_devices_hidden',
     'CUDA_VISIBLE_DEVICES=-1 python train.py and then torch says no GPU'),
    ('no_problem',
     '2022-01-01 I tensorflow/core/common_runtime/gpu/gpu_device.cc:1510] Created device /job:localhost/replica:0/task:0/device:GPU:0 with 7000 MB memory:  -> device: 0, name: NVIDIA GeForce RTX 2070, pci bus id: 0000:01:00.0, compute capability: 7.5\nI tensorflow/stream_executor/cuda/cuda_gpu_executor.cc:936] successful NUMA node read from SysFS had negative value (-1)'),
    ('fabric_manager_not_running',
     'nvidia-fabricmanager service is inactive (dead) on our DGX A100; CUDA apps fail'),
    ('gpu_hardware_fault',
     'Unable to determine the device handle for GPU 0000:3B:00.0: GPU is lost. Reboot the system to recover this GPU'),
    ('container_no_gpu',
     'docker run --rm nvidia/cuda:12.2.0-base-ubuntu22.04 nvidia-smi\nexec: "nvidia-smi": executable file not found in $PATH'),
    ('wsl_gpu_not_enabled',
     "WSL2 on Windows 10 build 19041; /dev/dxg missing; CUDA on WSL doesn't work"),
    ('no_nvidia_gpu',
     'Colab: I forgot something? torch.cuda.is_available() returns False. Runtime type is None, hardware accelerator none.'),
    ('no_nvidia_gpu',
     'RuntimeError: No CUDA GPUs are available\nMy PC has an AMD Ryzen with Radeon graphics'),
    ('container_no_gpu',
     'kubectl describe pod: no nvidia.com/gpu limit set; inside the pod torch.cuda.is_available() is False'),
    ('container_no_gpu',
     'docker-compose.yml\nservices:\n  app:\n    image: pytorch/pytorch\n\ninside container: RuntimeError: Found no NVIDIA driver on your system.'),
    ('driver_not_loaded',
     'lsmod | grep nvidia shows nothing, nouveau is loaded. nvidia-smi fails.'),
    ('driver_not_loaded',
     "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\nThis happened after a kernel update on Ubuntu 22.04"),
    ('driver_library_mismatch',
     'nvidia-smi\nFailed to initialize NVML: Driver/library version mismatch\nNVML library version: 550.120'),
    ('gpu_memory_exhausted',
     '2023 W tensorflow/tsl/framework/bfc_allocator.cc:479] Allocator (GPU_0_bfc) ran out of memory trying to allocate 2.0GiB'),
    ('gpu_memory_exhausted',
     'RuntimeError: CUDA error: out of memory\nnvidia-smi shows another python process using 23000MiB / 24576MiB'),
    ('cudnn_missing',
     'jax: Unable to load cuDNN. Is it installed?'),
    ('cudnn_missing',
     'DNN library is not found.'),
    ('cpu_only_package',
     'pip show tensorflow\nName: tensorflow-cpu\nVersion: 2.13.0'),
    ('cpu_only_package',
     'An NVIDIA GPU may be present on this machine, but a CUDA-enabled jaxlib is not installed. Falling back to cpu.'),
    ('compute_capability_unsupported',
     'RTX 5090, torch 2.5.1+cu124: CUDA error: no kernel image is available for execution on the device'),
    ('compute_capability_unsupported',
     'NVIDIA GeForce RTX 5080 with CUDA capability sm_120 is not compatible with the current PyTorch installation. The current PyTorch install supports CUDA capabilities sm_50 sm_60 sm_70 sm_75 sm_80 sm_86 sm_90.'),
    ('windows_native_unsupported',
     'tf 2.14 on Windows 11 native (not WSL), GPU RTX 3080, list_physical_devices returns []'),
    ('macos_no_cuda',
     'Apple M1 Max, tensorflow 2.15: how to use the GPU? CUDA not found'),
    ('wsl_gpu_not_enabled',
     "Inside WSL2 Ubuntu: Could not load dynamic library 'libcuda.so.1'; dlerror: libcuda.so.1: cannot open shared object file"),
    ('python_version_unsupported',
     "I'm on Python 3.13 and pip installs tensorflow 2.x? No: ERROR: Could not find a version that satisfies the requirement tensorflow"),
    ('keras_backend_other',
     '~/.keras/keras.json has "backend": "theano" and my tensorflow-gpu is not used'),
    ('cuda_visible_devices_hidden',
     'CUDA_VISIBLE_DEVICES="" jupyter notebook and in the notebook torch.cuda.is_available() is False'),
    ('code_forces_cpu',
     "with tf.device('/cpu:0'):\n    model.fit(x_train, y_train, epochs=5)\nGPU utilization is 0%"),
    ('nvidia_uvm_unavailable',
     'CUDA error: unknown error after hibernate, nvidia-smi works'),
    ('fabric_manager_not_running',
     'RuntimeError: CUDA error: system not yet initialized on our H100 HGX node'),

    ("cpu_only_package", "I used the requirements.txt of the repo which pins tensorflow-cpu==2.12.0; now training ignores my RTX 3090"),
    ("cpu_only_package", "torch.version.cuda returns None and torch.cuda.is_available() is False on my Linux box with an A6000"),
    ("cpu_only_package", "print(torch.__version__) -> 2.0.1+cpu"),
    ("cpu_only_package", "tf.test.is_built_with_cuda() returns False"),
    ("package_conflict", "I have both tensorflow and tensorflow-gpu in my env (pip list shows tensorflow 1.14.0 and tensorflow-gpu 1.14.0)"),
    ("package_conflict", "conda list shows pytorch 1.12.1 py3.9_cuda11.3 and also torch 1.13.0 from pip"),
    ("driver_too_old", "UserWarning: CUDA initialization: The NVIDIA driver on your system is too old (found version 11040). Please update your GPU driver"),
    ("driver_too_old", "cudaGetDeviceCount returned 35 -> CUDA driver version is insufficient for CUDA runtime version"),
    ("driver_not_loaded", "Le pilote NVIDIA ne se charge pas: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."),
    ("driver_not_loaded", "modprobe: ERROR: could not insert 'nvidia': Key was rejected by service"),
    ("cuda_visible_devices_hidden", "My launcher script sets CUDA_VISIBLE_DEVICES=-1 before python starts."),
    ("libs_not_on_path", "I exported LD_LIBRARY_PATH in .bashrc but the systemd service running my model cannot load libcudnn.so.8"),
    ("gpu_memory_exhausted", "CUBLAS_STATUS_NOT_INITIALIZED when calling cublasCreate(handle); another training is running on the same GPU"),
    ("compute_capability_unsupported", "GeForce GTX 680 (compute capability 3.0) with tensorflow 2.10: Ignoring visible gpu device"),
    ("no_problem", ">>> tf.config.list_physical_devices('GPU')\n[PhysicalDevice(name='/physical_device:GPU:0', device_type='GPU')]\nBut why do I see 'Could not load dynamic library libnvinfer.so.7'?"),
    ("nvidia_uvm_unavailable", "After waking the machine from sleep: RuntimeError: CUDA unknown error - this may be due to an incorrectly set up environment"),
    ("container_no_gpu", "In a Singularity container on the cluster, torch can't see GPUs. I run singularity exec image.sif python train.py"),
    ("windows_native_unsupported", "OS: Windows 10\nTensorFlow: 2.13.0\nGPU: RTX 3060\nCUDA 11.8, cuDNN 8.6\nNum GPUs Available: 0"),
    ("python_version_unsupported", "Python 3.8 with pip install jax[cuda12] -> ERROR: No matching distribution found for jaxlib"),
    ("cudnn_missing", "Failed to get convolution algorithm. This is probably because cuDNN failed to initialize\nI never installed cuDNN, only CUDA 10.0"),
    ("cpu_only_package", "Windows 11, RTX 3090. I ran pip install torch torchvision and now torch.cuda.is_available() is False"),
    ("python_version_unsupported", "Windows 10, Python 3.13. pip install torch\nERROR: Could not find a version that "
     "satisfies the requirement torch (from versions: none)\nERROR: No matching distribution found for torch"),
    ("macos_no_cuda", "(OSX) Torch not compiled with CUDA enabled\nAssertionError: Torch not compiled with CUDA enabled\n"
     "The issue I found about it seems to be about Windows PCs."),
    ("no_problem", "Training my LoRA with the torch trainer prints: An NVIDIA GPU may be present on this machine, but a "
     "CUDA-enabled jaxlib is not installed. Falling back to cpu."),
    ("cpu_only_package", "I use jax for my model. An NVIDIA GPU may be present on this machine, but a CUDA-enabled jaxlib "
     "is not installed. Falling back to cpu."),
    ("windows_native_unsupported", "Windows 11, RTX 4080. pip install tensorflow, then tf.config.list_physical_devices('GPU') "
     "returns []"),
    ("gpu_memory_exhausted", "The notebook dies at Epoch 1/150 with a ResourceExhaustedError; it trained fine on Sunday."),
    ("driver_too_old", "ERROR: This container was built for NVIDIA Driver Release 450.36 or later, but\n"
     "       version 440.100 was detected and compatibility mode is UNAVAILABLE."),
    # the Container Toolkit's check of the image's NVIDIA_REQUIRE_CUDA (format of NVIDIA/nvidia-docker#1442)
    ("driver_too_old", "docker run --gpus all my-image\ndocker: Error response from daemon: OCI runtime create failed: "
     "container_linux.go:370: starting container process caused: process_linux.go:459: container init caused: Running "
     "hook #0:: error running hook: exit status 1, stdout: , stderr: nvidia-container-cli: requirement error: "
     "unsatisfied condition: cuda>=11.0, please update your driver to a newer version, or use an earlier cuda "
     "container: unknown."),
    ("system_libs_shadow_pip_libs", "torch 2.13.0 with the CUDA 13 wheel: conv3d fails with "
     "CUDNN_STATUS_SUBLIBRARY_VERSION_MISMATCH; the box also has libcudnn9 from apt in /usr/lib/x86_64-linux-gnu"),
]


@pytest.mark.parametrize("want, text", CASES, ids=[f"{i:02d}-{w}" for i, (w, _) in enumerate(CASES)])
def test_typical_report(want, text):
    assert triage(text).verdict.root_cause == want


@pytest.mark.parametrize("text", [
    "I created a conda env and then used pip to install tensorflow[and-cuda]",
    "conda create -n tf python=3.10 then pip install tensorflow and import tensorflow as tf",
    "conda activate tf; pip install tensorflow==2.15; GPU not found",
])
def test_conda_env_with_pip_install_is_not_a_conflict(text):
    # pip inside a conda environment is the documented way to install TensorFlow; only one framework
    # installed by both tools is a conflict.
    assert triage(text).verdict.root_cause != "package_conflict"


def test_plain_pip_install_of_torch_on_linux_is_not_called_cpu_only():
    # PyPI's Linux torch wheels are CUDA builds; only the Windows and macOS ones are CPU-only.
    text = "Ubuntu 22.04, RTX 3090. I ran pip install torch torchvision and now torch.cuda.is_available() is False"
    assert triage(text).verdict.root_cause != "cpu_only_package"


def test_a_message_fix_without_a_command_has_no_empty_command():
    # a row whose fix is only what to do (no "what: command") gives a fix with no command line, not an empty one
    report = triage("nvidia-container-cli: requirement error: unsatisfied condition: cuda>=12.8, please update your "
                    "driver to a newer version, or use an earlier cuda container")
    fix = report.findings[0].fix
    assert report.verdict.root_cause == "driver_too_old"
    assert fix.commands == () and not fix.text.endswith(":")


def test_a_conda_install_after_which_cuda_turned_false():
    text = ("torch.cuda.is_available() turned False right after adding opencv with conda.\n"
            "1. conda install pytorch torchvision torchaudio pytorch-cuda=11.7 -c pytorch -c nvidia (the GPU worked)\n"
            "2. conda install -c conda-forge opencv")
    assert triage(text).verdict.root_cause == "cpu_only_package"


def test_tensorflow_on_windows_with_its_own_cuda_installed_is_looked_for_on_path():
    # TF 2.1 was built with CUDA 10.1 (tensorflow_releases.csv): the reporter installed it, so it is not missing
    text = ("Windows 10, pip install tensorflow-gpu, TensorFlow 2.1.0, Python 3.7.4, GTX 1650. I installed the CUDA "
            "toolkit 10.1 and cuDNN, but tf.config.list_physical_devices() only lists the CPU.")
    assert triage(text).verdict.root_cause == "libs_not_on_path"
    assert triage(text.replace("10.1", "10.2")).verdict.root_cause != "libs_not_on_path"


def test_a_mac_whose_report_shows_metal_at_work_has_no_cuda_problem():
    # the lines Apple's tensorflow-metal and TensorFlow's pluggable-device factory print on an M1
    text = ("M1 Mac, TensorFlow 2.6 with the Metal plugin. What does this mean?\n```\nMetal device set to: Apple M1\n"
            "2021-10-26 01:42:59.638241: I tensorflow/core/common_runtime/pluggable_device/pluggable_device_factory.cc:"
            "271] Created TensorFlow device (/job:localhost/replica:0/task:0/device:GPU:0 with 0 MB memory) -> physical "
            "PluggableDevice (device: 0, name: METAL, pci bus id: <undefined>)\n```")
    report = triage(text)
    assert report.verdict.root_cause == "no_problem"
    assert all(f.code != "WG102" for f in report.findings)
    assert triage("On my M1 Mac TensorFlow 2.6 lists no GPU.").verdict.root_cause == "macos_no_cuda"
