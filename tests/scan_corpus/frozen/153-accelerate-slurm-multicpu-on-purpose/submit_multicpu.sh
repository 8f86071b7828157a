#!/bin/bash -l

#SBATCH --job-name=multicpu
#SBATCH --nodes=2                       # number of Nodes
#SBATCH --ntasks-per-node=1             # number of MP tasks
#SBATCH --exclusive
#SBATCH --output=O-%x.%j
#SBATCH --error=E-%x.%j

source activateEnvironment.sh

head_node_ip=$(scontrol show hostnames $SLURM_JOB_NODELIST | head -n 1)
export MASTER_PORT="${MASTER_PORT:-29555 }"

INSTANCES_PER_NODE="${INSTANCES_PER_NODE:-1}"

if [[ $SLURM_NNODES == 1 ]] && [[ $INSTANCES_PER_NODE == 1 ]]; then
  export CCL_WORKER_COUNT=0
  LAUNCHER=""
else
  export CCL_WORKER_COUNT="${CCL_WORKER_COUNT:-2}"
  HOSTFILE_PATH=hostfile
  scontrol show hostname $SLURM_JOB_NODELIST > ${HOSTFILE_PATH}

  export LAUNCHER="accelerate launch \
    --num_processes $((SLURM_NNODES * ${INSTANCES_PER_NODE})) \
    --num_machines $SLURM_NNODES \
    --rdzv_backend c10d \
    --main_process_ip $head_node_ip \
    --main_process_port $MASTER_PORT \
    --mpirun_hostfile $HOSTFILE_PATH
fi

export APP_DIR="${APP_DIR:-/workspace}"
export SCRIPT="${APP_DIR}/examples/nlp_example.py"
export SCRIPT_ARGS=" \
    --cpu \
    --output_dir ${APP_DIR}/examples/output \
    "

export CMD="$LAUNCHER $SCRIPT $SCRIPT_ARGS"
echo $CMD
eval $CMD
