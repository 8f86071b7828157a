#!/bin/bash
#SBATCH --partition gpu
#SBATCH --gres gpu:a100:1
#SBATCH --mem-per-gpu 400G
#SBATCH -o logs/slurm-%x-%j-%N.out

IMG=/home/software/singularity/pytorch.simg:2025-09-01
cd ~/pfreco

ulimit -n 100000
singularity exec -B /scratch/persistent -B /local --nv \
    --env PYTHONPATH=`pwd` \
    --env KERAS_BACKEND=torch \
    $IMG python3 reco/pipeline.py \
    --data-dir /scratch/persistent/data/tensorflow_datasets \
    --config parameters/pytorch/cms.yaml \
    train \
    --gpus 1 \
    --gpu-batch-multiplier 16 \
    --num-workers 2 \
    --conv-type attention \
    --dtype bfloat16 \
    --num-steps 1000000
