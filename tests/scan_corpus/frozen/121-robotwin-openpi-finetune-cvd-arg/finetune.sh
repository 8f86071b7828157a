cfg_name=$1
run_name=$2
gpu_ids=$3

export CUDA_VISIBLE_DEVICES=$gpu_ids
echo $CUDA_VISIBLE_DEVICES
XLA_PYTHON_CLIENT_MEM_FRACTION=0.9 uv run scripts/train.py $cfg_name --exp-name=$run_name --overwrite
