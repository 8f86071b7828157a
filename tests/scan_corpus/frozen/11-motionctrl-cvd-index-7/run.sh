
config="configs/inference/config_both.yaml"
ckpt='./checkpoints/motion_model.pth'

condtype='camera_motion'

cond_dir="examples/"

res_dir="./outputs/"
if [ ! -d $res_dir ]; then
    mkdir -p $res_dir
fi

save_dir=$res_dir/$condtype'_seed'$seed

use_ddp=0

if [ $use_ddp == 0 ]; then
CUDA_VISIBLE_DEVICES=7 python 'main/evaluation/inference.py' \
--seed 1234 \
--ckpt_path $ckpt \
--base $config \
--savedir $save_dir \
--n_samples 5 \
--bs 1 --height 256 --width 256 \
--ddim_steps 50 \
--condtype $condtype \
--cond_dir $cond_dir
fi

if [ $use_ddp == 1 ]; then
python3 -m torch.distributed.launch \
--nproc_per_node=3 --nnodes=1 --master_port=23466 \
main/evaluation/ddp_wrapper.py \
--module 'inference' \
--seed 2000 \
--ckpt_path $ckpt \
--base $config \
--savedir $res_dir/$name \
--condtype $condtype \
--cond_dir $cond_dir
fi
